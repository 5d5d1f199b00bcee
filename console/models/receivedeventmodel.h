#pragma once

#include "ssemessage.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>

// The events a test client received, oldest first (newest at the bottom), at most
// `capacity` kept: the oldest rows go when more arrive. Columns: time received, event id,
// type, data.
class ReceivedEventModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReceivedEventModel)

public:
    enum Column { Time, Id, Type, Data, ColumnCount };
    Q_ENUM(Column)
    // SortRole: the raw value (time as QDateTime, data with its line breaks).
    enum Role { SortRole = Qt::UserRole + 1 };

    static constexpr int defaultCapacity = 5000;

    explicit ReceivedEventModel(int capacity = defaultCapacity, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int capacity() const { return m_capacity; }
    void addEvent(const SseMessage &message, const QDateTime &receivedAt = QDateTime::currentDateTime());
    void clear();
    // The message on a row (a default one when out of range).
    SseMessage message(int row) const;

private:
    struct Entry
    {
        QDateTime receivedAt;
        SseMessage message;
    };

    int m_capacity;
    QList<Entry> m_entries;
};
