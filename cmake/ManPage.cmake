# cmake -DHELP2MAN=... -DBINARY=... -DSUMMARY=... -DOUTPUT=page.1.gz -P ManPage.cmake
# One binary's man page from its --help and --version, compressed as Debian wants (gzip -9n).
# The console answers --help without a display on Qt's offscreen platform.
get_filename_component(name ${BINARY} NAME)
set(ENV{QT_QPA_PLATFORM} offscreen)
execute_process(
    COMMAND ${HELP2MAN} --no-info --section=1 --source=EventSource-Hub "--name=${SUMMARY}"
            --output=${OUTPUT}.tmp ${BINARY}
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "help2man failed on ${name}")
endif()
execute_process(COMMAND gzip -9n -c ${OUTPUT}.tmp OUTPUT_FILE ${OUTPUT} RESULT_VARIABLE status)
file(REMOVE ${OUTPUT}.tmp)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "gzip failed on the man page of ${name}")
endif()
