#pragma once

#include "target.h"

#include <QStringList>

// Who is at the other end of a stream. Anonymous streams have only a session.
struct Principal final
{
    QString sessionId;
    QString userId;
    QString userName;
    QStringList groupIds;
    QStringList groupNames;

    // Whether an event addressed to target may reach this principal (a broadcast reaches all).
    bool isAddressedBy(const Target &target) const;
};
