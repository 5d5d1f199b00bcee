#pragma once

#include <QAbstractHttpServer>
#include <QHttpServerResponder>

#include <functional>

class QHttpServerRequest;

// QtHttpServer's request parsing, with routing left to one handler. WebSocket upgrades are
// refused here (404) unless the handler says otherwise by returning false for them.
class HttpListener final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpListener)

public:
    using Handler = std::function<void(const QHttpServerRequest &, QHttpServerResponder &&)>;
    explicit HttpListener(Handler handler, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Handler m_handler;
};
