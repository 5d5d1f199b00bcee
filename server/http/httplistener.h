#pragma once

#include <QAbstractHttpServer>
#include <QHttpServerResponder>

#include <functional>

class QHttpServerRequest;

// QtHttpServer's request parsing, with routing left to one handler. A WebSocket upgrade is
// handed to Qt's WebSocket server only on webSocketPath (newWebSocketConnection() follows);
// any other upgrade gets 404.
class HttpListener final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpListener)

public:
    using Handler = std::function<void(const QHttpServerRequest &, QHttpServerResponder &&)>;
    explicit HttpListener(Handler handler, QObject *parent = nullptr);
    void setWebSocketPath(const QString &path) { m_webSocketPath = path; }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Handler m_handler;
    QString m_webSocketPath;
};
