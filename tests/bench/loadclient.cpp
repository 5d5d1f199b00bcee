// SSE load client: N concurrent streams on one epoll thread, events published through the
// admin API, latency measured from just before the push request to each stream's receipt.
// Not a test: it prints key=value figures for docs/BENCHMARKS.md (see run-bench.sh). Only
// the token for a targeted stream comes from the project's code (common/jwt).
#include "jwt.h"

#include <QJsonObject>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Options
{
    int port = 8080;
    int adminPort = 8081;
    std::string token;
    std::string path = "/eventsource";
    int streams = 1000;
    int events = 20;
    int burst = 0;             // >0: sustained mode, this many pushes back to back
    std::string targetUser;    // targeted mode: only stream 0 is this user
    std::string jwtSecret;     // mints stream 0's bearer token for targetUser
    int serverPid = 0;
    std::string pushUrlPath = "/api/push";
    std::string pushBodyTemplate = R"({"data":"%s"%s})";
};

struct Stream
{
    int fd = -1;
    bool ready = false;
    std::string buffer; // unread tail, enough to find markers across reads
    long long received = 0;
    Clock::time_point gotAt;
    bool got = false;
};

[[noreturn]] void die(const char *what)
{
    std::perror(what);
    std::exit(1);
}

long rssKb(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    }
    return -1;
}

int connectTo(int port, bool blocking)
{
    const int fd = socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
    if (fd < 0)
        die("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 && errno != EINPROGRESS)
        die("connect");
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void writeAll(int fd, const std::string &data)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            die("write");
        }
        done += size_t(n);
    }
}

// One keep-alive admin connection; returns the response body of a POST.
class Admin
{
public:
    explicit Admin(const Options &options)
        : m_options(options)
        , m_fd(connectTo(options.adminPort, true))
    {
    }
    void send(const std::string &body)
    {
        writeAll(m_fd, "POST " + m_options.pushUrlPath + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer "
                           + m_options.token + "\r\nContent-Type: application/json\r\nContent-Length: "
                           + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    // Reads one response (head + Content-Length body).
    std::string receive()
    {
        for (;;) {
            const size_t end = m_in.find("\r\n\r\n");
            if (end != std::string::npos) {
                const size_t lengthAt = m_in.find("Content-Length: ");
                const size_t length = lengthAt < end ? std::strtoul(m_in.c_str() + lengthAt + 16, nullptr, 10) : 0;
                if (m_in.size() >= end + 4 + length) {
                    std::string body = m_in.substr(end + 4, length);
                    m_in.erase(0, end + 4 + length);
                    return body;
                }
            }
            char chunk[65536];
            const ssize_t n = read(m_fd, chunk, sizeof chunk);
            if (n <= 0)
                die("admin read");
            m_in.append(chunk, size_t(n));
        }
    }

private:
    const Options &m_options;
    int m_fd;
    std::string m_in;
};

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

class Bench
{
public:
    explicit Bench(Options options)
        : m_options(std::move(options))
        , m_epoll(epoll_create1(0))
    {
    }

    void connectAll()
    {
        const long before = m_options.serverPid ? rssKb(m_options.serverPid) : -1;
        const auto start = Clock::now();
        m_streams.resize(size_t(m_options.streams));
        int pending = 0;
        for (size_t i = 0; i < m_streams.size(); ++i) {
            Stream &s = m_streams[i];
            s.fd = connectTo(m_options.port, false);
            std::string request = "GET " + m_options.path + " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n";
            if (i == 0 && !m_options.targetUser.empty())
                request += "Authorization: Bearer " + mintToken() + "\r\n";
            request += "\r\n";
            // Non-blocking connect: queue the request once writable.
            epoll_event event{};
            event.events = EPOLLIN | EPOLLOUT;
            event.data.u64 = i;
            epoll_ctl(m_epoll, EPOLL_CTL_ADD, s.fd, &event);
            s.buffer = request;
            ++pending;
            // Keep the number of half-open connects bounded.
            if (pending >= 512) {
                pump(std::chrono::milliseconds(1));
                pending = 0;
            }
        }
        while (m_ready < m_streams.size()) {
            if (Clock::now() - start > std::chrono::seconds(120)) {
                std::fprintf(stderr, "only %zu of %zu streams ready\n", m_ready, m_streams.size());
                std::exit(1);
            }
            pump(std::chrono::milliseconds(10));
        }
        const auto took = Clock::now() - start;
        pump(std::chrono::milliseconds(300));
        const long after = m_options.serverPid ? rssKb(m_options.serverPid) : -1;
        std::printf("streams=%d connect_all_ms=%.1f", m_options.streams, ms(took));
        if (before > 0)
            std::printf(" server_rss_kb_before=%ld server_rss_kb_after=%ld rss_per_stream_kb=%.2f", before,
                        after, double(after - before) / m_options.streams);
        std::printf("\n");
    }

    void latency()
    {
        Admin admin(m_options);
        std::vector<double> first, last, request;
        const bool targeted = !m_options.targetUser.empty();
        const size_t expected = targeted ? 1 : m_streams.size();
        for (int k = 0; k < m_options.events; ++k) {
            m_marker = "bench-" + std::to_string(k) + "-x";
            for (Stream &s : m_streams)
                s.got = false;
            m_got = 0;
            char body[512];
            const std::string target = targeted ? R"(,"target":{"users":[")" + m_options.targetUser + "\"]}" : "";
            std::snprintf(body, sizeof body, m_options.pushBodyTemplate.c_str(), m_marker.c_str(), target.c_str());
            const auto t0 = Clock::now();
            admin.send(body);
            admin.receive();
            request.push_back(ms(Clock::now() - t0));
            const auto deadline = t0 + std::chrono::seconds(30);
            while (m_got < expected && Clock::now() < deadline)
                pump(std::chrono::milliseconds(1));
            if (m_got < expected) {
                std::fprintf(stderr, "event %d reached %zu of %zu streams\n", k, m_got, expected);
                std::exit(1);
            }
            Clock::time_point firstAt = Clock::time_point::max(), lastAt = Clock::time_point::min();
            for (const Stream &s : m_streams) {
                if (!s.got)
                    continue;
                firstAt = std::min(firstAt, s.gotAt);
                lastAt = std::max(lastAt, s.gotAt);
            }
            first.push_back(ms(firstAt - t0));
            last.push_back(ms(lastAt - t0));
            pump(std::chrono::milliseconds(20));
        }
        std::printf("mode=%s streams=%d events=%d push_rtt_ms_median=%.3f first_ms_median=%.3f first_ms_p99=%.3f "
                    "last_ms_median=%.3f last_ms_p99=%.3f\n",
                    targeted ? "targeted" : "broadcast", m_options.streams, m_options.events,
                    percentile(request, 0.5), percentile(first, 0.5), percentile(first, 0.99),
                    percentile(last, 0.5), percentile(last, 0.99));
    }

    void sustained()
    {
        Admin admin(m_options);
        m_marker = "\n\n"; // count every event block
        for (Stream &s : m_streams)
            s.received = 0;
        const auto t0 = Clock::now();
        for (int k = 0; k < m_options.burst; ++k) {
            char body[512];
            std::snprintf(body, sizeof body, m_options.pushBodyTemplate.c_str(), "sustained", "");
            admin.send(body);
        }
        for (int k = 0; k < m_options.burst; ++k)
            admin.receive();
        const long long expected = (long long)m_options.burst * (long long)m_streams.size();
        const auto deadline = t0 + std::chrono::seconds(120);
        while (m_counted < expected && Clock::now() < deadline)
            pump(std::chrono::milliseconds(5));
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("mode=sustained streams=%d pushes=%d deliveries=%lld seconds=%.3f deliveries_per_s=%.0f\n",
                    m_options.streams, m_options.burst, m_counted, seconds, double(m_counted) / seconds);
    }

private:
    std::string mintToken() const
    {
        const QString user = QString::fromStdString(m_options.targetUser);
        return Jwt::sign(QJsonObject{{QStringLiteral("sub"), user}, {QStringLiteral("name"), user}},
                         QByteArray::fromStdString(m_options.jwtSecret))
            .toStdString();
    }

    void pump(std::chrono::milliseconds wait)
    {
        epoll_event events[1024];
        const int n = epoll_wait(m_epoll, events, 1024, int(wait.count()));
        const auto now = Clock::now();
        for (int e = 0; e < n; ++e) {
            Stream &s = m_streams[events[e].data.u64];
            if ((events[e].events & EPOLLOUT) && !s.buffer.empty() && !s.ready) {
                writeAll(s.fd, s.buffer);
                s.buffer.clear();
                epoll_event event{};
                event.events = EPOLLIN;
                event.data.u64 = events[e].data.u64;
                epoll_ctl(m_epoll, EPOLL_CTL_MOD, s.fd, &event);
            }
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            char chunk[65536];
            for (;;) {
                const ssize_t r = read(s.fd, chunk, sizeof chunk);
                if (r == 0) {
                    std::fprintf(stderr, "stream closed by server\n");
                    std::exit(1);
                }
                if (r < 0)
                    break;
                s.buffer.append(chunk, size_t(r));
                if (!s.ready) {
                    if (s.buffer.find("\nid: ") == std::string::npos && s.buffer.find("\r\n\r\nid: ") == std::string::npos)
                        continue;
                    s.ready = true;
                    ++m_ready;
                    s.buffer.clear();
                    continue;
                }
                scan(s, now);
            }
        }
    }

    void scan(Stream &s, Clock::time_point now)
    {
        if (m_marker == "\n\n") {
            size_t at = 0;
            while ((at = s.buffer.find("data: sustained\n\n", at)) != std::string::npos) {
                ++m_counted;
                at += 17;
            }
            s.buffer.erase(0, s.buffer.size() > 16 ? s.buffer.size() - 16 : 0);
            return;
        }
        if (!s.got && s.buffer.find(m_marker) != std::string::npos) {
            s.got = true;
            s.gotAt = now;
            ++m_got;
        }
        if (s.buffer.size() > 256)
            s.buffer.erase(0, s.buffer.size() - 64);
    }

    Options m_options;
    int m_epoll;
    std::vector<Stream> m_streams;
    size_t m_ready = 0;
    size_t m_got = 0;
    long long m_counted = 0;
    std::string m_marker;
};

} // namespace

int main(int argc, char **argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string value = argv[i + 1];
        if (key == "--port") options.port = std::atoi(value.c_str());
        else if (key == "--admin-port") options.adminPort = std::atoi(value.c_str());
        else if (key == "--token") options.token = value;
        else if (key == "--path") options.path = value;
        else if (key == "--streams") options.streams = std::atoi(value.c_str());
        else if (key == "--events") options.events = std::atoi(value.c_str());
        else if (key == "--burst") options.burst = std::atoi(value.c_str());
        else if (key == "--target-user") options.targetUser = value;
        else if (key == "--jwt-secret") options.jwtSecret = value;
        else if (key == "--server-pid") options.serverPid = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);

    Bench bench(options);
    bench.connectAll();
    if (options.burst > 0)
        bench.sustained();
    else
        bench.latency();
    return 0;
}
