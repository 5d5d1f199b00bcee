#pragma once

#include <QByteArray>
#include <QList>

// One Redis reply, copied out of hiredis (which frees its own after the callback). A
// command that got no reply (the connection went away, or it timed out) is an Error whose
// text says so, with `transport` set.
struct RedisReply final
{
    enum class Type { Nil, Status, Error, Integer, String, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray string; // status, error or bulk string
    QList<RedisReply> elements;
    bool transport = false; // no reply from Redis at all

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }

    static RedisReply error(const QByteArray &message, bool transport = false)
    {
        RedisReply reply;
        reply.type = Type::Error;
        reply.string = message;
        reply.transport = transport;
        return reply;
    }
};
