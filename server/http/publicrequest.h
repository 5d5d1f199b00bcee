#pragma once

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QList>
#include <QUrl>

// A request to the public listener, whichever protocol carried it: a view of QtHttpServer's
// parsed HTTP/1.1 request, or the fields of one HTTP/2 stream. Header names compare without
// case; repeated headers read as one, joined with ", " (Cookie with "; ", as HTTP/2 asks).
class PublicRequest final
{
public:
    using Method = QHttpServerRequest::Method;
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    // The request must outlive this view.
    explicit PublicRequest(const QHttpServerRequest &request);
    // headers: regular fields only (no pseudo-headers); target: path and query.
    PublicRequest(QByteArrayView method, const QByteArray &target, const QByteArray &authority, Headers headers,
                  QByteArray body, QHostAddress remoteAddress);

    Method method() const { return m_method; }
    const QUrl &url() const { return m_url; }
    QByteArray value(QByteArrayView name) const;
    QByteArray body() const;
    QHostAddress remoteAddress() const;

    static Method methodFrom(QByteArrayView name);

private:
    const QHttpServerRequest *m_qt = nullptr;
    Method m_method = Method::Unknown;
    QUrl m_url;
    Headers m_headers; // names in lower case
    QByteArray m_body;
    QHostAddress m_remoteAddress;
};
