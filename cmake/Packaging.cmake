# The Debian package (resources/scripts/package.sh builds it): the three binaries in /usr/bin,
# their man pages made from --help, the systemd unit in /lib/systemd/system, the commented
# config in /etc/eventsource-hub/, and maintainer scripts that make the system user and the
# state directory. `cmake --install` to another prefix installs the same, pointing there.
include(GNUInstallDirs)

# Man pages from each binary's --help and --version (help2man, Debian help2man); without it
# the build has none and the package test says so.
find_program(ESH_HELP2MAN help2man)
if(ESH_HELP2MAN)
    set(manpages)
    set(eventsource-server_summary "Server-Sent Events push server")
    set(eventsource-cli_summary "command-line client of the EventSource Hub admin API")
    set(eventsource-console_summary "operator's console of EventSource Hub")
    foreach(binary eventsource-server eventsource-cli eventsource-console)
        set(page ${CMAKE_CURRENT_BINARY_DIR}/man/${binary}.1.gz)
        add_custom_command(OUTPUT ${page}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
            COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${ESH_HELP2MAN} -DBINARY=$<TARGET_FILE:${binary}>
                    "-DSUMMARY=${${binary}_summary}"
                    -DOUTPUT=${page} -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ManPage.cmake
            DEPENDS ${binary} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ManPage.cmake
            COMMENT "Man page of ${binary}" VERBATIM)
        list(APPEND manpages ${page})
    endforeach()
    add_custom_target(manpages ALL DEPENDS ${manpages})
    install(FILES ${manpages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

install(FILES resources/config/eventsource.json DESTINATION /etc/eventsource-hub)
# The unit names the installed server, so it is written when installing: under CPack the
# prefix is the package's /usr.
install(CODE "
    set(ESH_SERVER_PATH \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/eventsource-server\")
    set(ESH_CONFIG_PATH /etc/eventsource-hub/eventsource.json)
    configure_file(${CMAKE_CURRENT_SOURCE_DIR}/resources/systemd/eventsource-hub.service.in
                   ${CMAKE_CURRENT_BINARY_DIR}/eventsource-hub.service @ONLY)
    file(INSTALL ${CMAKE_CURRENT_BINARY_DIR}/eventsource-hub.service DESTINATION /lib/systemd/system)
")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME eventsource-hub)
set(CPACK_PACKAGE_VENDOR "EventSource Hub")
set(CPACK_PACKAGE_CONTACT "EventSource Hub developers <eventsource-hub@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Server-Sent Events push server, with its console and CLI")
set(CPACK_PACKAGE_DESCRIPTION
    "EventSource Hub pushes live updates to web apps over Server-Sent Events (EventSource):\n\
broadcast, named events, targets by session, user and group, Last-Event-ID resume, CORS,\n\
TLS and HTTP/2. It includes the operator's console (eventsource-console) and the CLI\n\
(eventsource-cli). The service eventsource-hub runs as its own system user.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The history opens SQLite through a Qt plugin, which dpkg-shlibdeps cannot see.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, libqt6sql6-sqlite")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/resources/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/resources/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/resources/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/resources/debian/postrm)
include(CPack)
