#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

struct Target;

// One open stream as the admin API and the control channel describe it, and as the console
// reads it back.
struct ConnectionRecord final
{
    QString id;
    QString session;
    QString userId;   // empty: anonymous
    QString userName;
    QStringList groups;   // names
    QStringList groupIds;
    QString remoteAddress;
    QString userAgent;
    QString protocol; // "http/1.1" or "h2"
    QStringList filter;   // event names; empty: everything
    QDateTime connectedAt;
    QDateTime expiresAt;  // invalid: no token expiry
    qint64 eventsSent = 0;
    qint64 bytesSent = 0;
    QString lastEventId;
    QString node; // the cluster node holding it; empty on a standalone node
    // How the stream came back: the id it sent and how (a Last-Event-ID header or the
    // lastEventId query; empty: it sent none), whether the history had that id ("exact",
    // "too-old": dropped from it or from another epoch, "unknown", "none": no id), and how
    // many events were replayed to it.
    struct Resume
    {
        QString lastEventId;
        QString via;
        QString status = QStringLiteral("none");
        qint64 replayed = 0;
    };
    Resume resume;

    // Whether the stream is to receive an event of this name (empty: a plain message) and
    // target: its URL filter and its principal, as the hub decides it.
    bool wouldReceive(const QByteArray &name, const Target &target) const;

    QJsonObject toJson() const;
    static std::optional<ConnectionRecord> fromJson(const QJsonObject &object);
    // The records of a JSON array; entries that do not read are left out.
    static QList<ConnectionRecord> listFromJson(const QJsonValue &array);
    bool operator==(const ConnectionRecord &other) const;
};

// The counters of a stream that changed (control channel "updated" entries).
struct ConnectionUpdate final
{
    QString id;
    qint64 eventsSent = 0;
    qint64 bytesSent = 0;
    QString lastEventId;

    QJsonObject toJson() const;
    static ConnectionUpdate fromJson(const QJsonObject &object);
};
