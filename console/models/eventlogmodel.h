#pragma once

#include "eventsummary.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

// Every event published on the server (control channel "events" topic), newest first, at
// most `capacity` kept. Columns: time, id, event name, target, delivered, data.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Id, Event, Target, Delivered, Data, ColumnCount };
    Q_ENUM(Column)
    enum Role { SortRole = Qt::UserRole + 1, EventJsonRole };

    explicit EventLogModel(int capacity = 10000, QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // events as in an "events.batch" (oldest first); they go on top.
    void addEvents(const QList<EventSummary> &events);
    void clear();

private:
    // "everyone" for a broadcast (empty), else "sessions: s; users: a, b; groups: g".
    static QString targetText(const QJsonObject &target);
    struct Entry
    {
        QDateTime time;
        QString id;
        QString event;     // as displayed: the name, or "message" for a plain message
        QString target;    // as displayed
        qint64 delivered = -1; // -1: not reported (history)
        QString data;      // as received (at most the first 1,024 bytes)
        QString dataLine;  // one line for display
        QJsonObject json;
    };
    static Entry entryFrom(const EventSummary &event);
    QString displayText(const Entry &entry, int column) const;

    int m_capacity;
    QList<Entry> m_entries; // newest first
};
