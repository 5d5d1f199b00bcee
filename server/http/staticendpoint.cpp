#include "staticendpoint.h"

#include "publicrequest.h"
#include "publicresponder.h"

#include <QFile>

namespace {

using Status = HttpReply::Status;

// The demo page's own script and style only, and connections to its own origin (the stream,
// /login, /logout): an injected script has nowhere to come from or to send to.
constexpr char demoPolicy[] = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                              "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

} // namespace

StaticEndpoint::StaticEndpoint(bool demo, const QString &streamPath)
{
    add(QStringLiteral("/eventsource-hub.js"), QStringLiteral(":/public/js/eventsource-hub.js"),
        "text/javascript; charset=utf-8");
    if (!demo)
        return;
    add(QStringLiteral("/demo"), QStringLiteral(":/public/demo/index.html"), "text/html; charset=utf-8");
    add(QStringLiteral("/demo/demo.js"), QStringLiteral(":/public/demo/demo.js"), "text/javascript; charset=utf-8");
    add(QStringLiteral("/demo/demo.css"), QStringLiteral(":/public/demo/demo.css"), "text/css; charset=utf-8");
    File &page = m_files[QStringLiteral("/demo")];
    page.body.replace("@STREAM_PATH@", streamPath.toHtmlEscaped().toUtf8());
    m_files.insert(QStringLiteral("/demo/"), page);
}

void StaticEndpoint::add(const QString &path, const QString &resource, const QByteArray &contentType)
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("built-in file %s is missing", qPrintable(resource)); // a build without its resources
    m_files.insert(path, File{contentType, file.readAll()});
}

void StaticEndpoint::handle(const PublicRequest &request, PublicResponder &responder) const
{
    if (request.method() != PublicRequest::Method::Get)
        return HttpReply::error(responder, Status::MethodNotAllowed, QStringLiteral("use GET"),
                                {{"Allow", "GET"}});
    const File &file = m_files[request.url().path()];
    HttpReply::Headers headers{{"X-Content-Type-Options", "nosniff"}};
    if (file.contentType.startsWith("text/html"))
        headers.append(std::pair<QByteArray, QByteArray>("Content-Security-Policy", demoPolicy));
    responder.respond(Status::Ok, file.contentType, file.body, headers);
}
