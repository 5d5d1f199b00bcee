// SSE load client: N concurrent streams on one epoll thread, events published through the
// admin API, latency measured from just before the push request to each stream's receipt.
// Not a test: it prints key=value figures for docs/BENCHMARKS.md (see run-bench.sh). Only
// the token for a targeted stream comes from the project's code (common/jwt).
//
// Peers (tests/bench/peers/) have other publish APIs and no users; options that default to
// this server's behaviour let the same client drive them:
//   --push-path P, --push-body T (first %s: the event's data, second %s: this server's
//   "target" member), --push-content-type C  how to publish;
//   --no-auth                  no bearer token on pushes or streams;
//   --ready-marker TEXT        a stream is ready once it has read TEXT (default: an "id:" line);
//   --target-path P            stream 0's path in targeted mode (a peer's per-user channel);
//   --warmup                   ready only once a push has reached the stream (for a peer whose
//                              first bytes come before the stream is subscribed);
//   --connect-window N         at most N streams connecting at once;
//   --allow-closed             a stream the server closes is left out (closed_streams=N);
//   --server-pid a,b,c         RSS summed over several processes;
//   --tls                      streams speak TLS (HTTP/1.1, no certificate check: a bench on
//                              loopback); pushes stay on the plain admin port.
#include "jwt.h"

#include <QJsonObject>

#include <algorithm>
#include <cctype>
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
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Options
{
    std::vector<int> ports{8080}; // streams go round-robin over these (the nodes of a cluster)
    int adminPort = 8081;
    std::string token;
    std::string path = "/eventsource";
    int streams = 1000;
    int events = 20;
    int burst = 0;             // >0: sustained mode, this many pushes back to back
    std::string targetUser;    // targeted mode: only stream 0 is this user
    std::string jwtSecret;     // mints stream 0's bearer token for targetUser
    std::vector<int> serverPids;
    std::string pushUrlPath = "/api/push";
    std::string pushBodyTemplate = R"({"data":"%s"%s})";
    std::string pushContentType = "application/json";
    bool noAuth = false;
    std::string readyMarker;   // empty: the first "id:" line marks a stream ready
    std::string targetPath;    // targeted mode: stream 0's path (default: path)
    bool warmup = false;       // ready only once a push reaches every stream
    int connectWindow = 0;     // >0: at most this many streams connecting at once
    bool tls = false;
    bool allowClosed = false;  // a stream the server closes is dropped and counted, not fatal
};

// The push body: the template with its first %s replaced by data, its second by target
// (a template with fewer %s simply leaves the rest out).
std::string pushBody(const std::string &bodyTemplate, const std::string &data, const std::string &target)
{
    std::string body;
    const std::string *fill[] = {&data, &target};
    size_t used = 0, from = 0;
    for (size_t at; (at = bodyTemplate.find("%s", from)) != std::string::npos; from = at + 2) {
        body.append(bodyTemplate, from, at - from);
        if (used < 2)
            body += *fill[used++];
    }
    body.append(bodyTemplate, from, std::string::npos);
    return body;
}

struct Stream
{
    int fd = -1;
    SSL *ssl = nullptr; // with --tls
    bool handshaken = false;
    bool requested = false;
    bool ready = false;
    std::string buffer; // unread tail, enough to find markers across reads
    long long received = 0;
    Clock::time_point gotAt;
    bool got = false;
    bool closed = false;
};

[[noreturn]] void die(const char *what)
{
    std::perror(what);
    std::exit(1);
}

long rssKb(int pid)
{
    if (pid <= 0)
        return -1;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    }
    return -1;
}

// Summed over the server's processes (nginx workers, Pushpin's services).
long rssKb(const std::vector<int> &pids)
{
    long sum = 0;
    for (const int pid : pids) {
        const long kb = rssKb(pid);
        if (kb < 0)
            return -1;
        sum += kb;
    }
    return pids.empty() ? -1 : sum;
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

// A stream's read: TLS records decrypted under --tls. -1 with errno EAGAIN when nothing is there.
ssize_t readSome(Stream &s, char *into, size_t size)
{
    if (!s.ssl)
        return read(s.fd, into, size);
    size_t got = 0;
    const int r = SSL_read_ex(s.ssl, into, size, &got);
    if (r == 1)
        return ssize_t(got);
    const int error = SSL_get_error(s.ssl, r);
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        errno = EAGAIN;
        return -1;
    }
    if (error == SSL_ERROR_ZERO_RETURN)
        return 0;
    errno = EPROTO;
    return -1;
}

// The handshake of a --tls stream, driven by its socket's readiness. False while it goes on.
bool handshake(Stream &s)
{
    const int r = SSL_do_handshake(s.ssl);
    if (r == 1)
        return s.handshaken = true;
    const int error = SSL_get_error(s.ssl, r);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        std::fprintf(stderr, "TLS handshake failed: %s\n", ERR_error_string(ERR_get_error(), nullptr));
        std::exit(1);
    }
    return false;
}

void writeRequest(Stream &s)
{
    if (!s.ssl) {
        writeAll(s.fd, s.buffer);
        return;
    }
    size_t written = 0;
    while (SSL_write_ex(s.ssl, s.buffer.data(), s.buffer.size(), &written) != 1) {
        const int error = SSL_get_error(s.ssl, 0);
        if (error != SSL_ERROR_WANT_WRITE && error != SSL_ERROR_WANT_READ)
            die("SSL_write");
        poll(nullptr, 0, 1);
    }
}

// One keep-alive admin connection; requests may be pipelined. The socket is non-blocking so
// that a long pipeline never deadlocks: while a write waits, responses are read. A server that
// answers "Connection: close" (Pushpin's publish API) gets a new connection after each answer.
class Admin
{
public:
    explicit Admin(const Options &options)
        : m_options(options)
    {
        open();
    }
    // True once the server has closed a connection after its answer: no pipelining then.
    bool closesEachRequest() const { return m_closes; }
    void send(const std::string &body)
    {
        std::string request = "POST " + m_options.pushUrlPath + " HTTP/1.1\r\nHost: bench\r\n";
        if (!m_options.noAuth)
            request += "Authorization: Bearer " + m_options.token + "\r\n";
        request += "Content-Type: " + m_options.pushContentType + "\r\nContent-Length: " + std::to_string(body.size())
            + "\r\n\r\n" + body;
        size_t done = 0;
        while (done < request.size()) {
            const ssize_t n = write(m_fd, request.data() + done, request.size() - done);
            if (n >= 0) {
                done += size_t(n);
                continue;
            }
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                die("admin write");
            wait(POLLOUT | POLLIN);
            fill();
        }
    }
    // Reads one response (head + Content-Length or chunked body); a non-2xx status is fatal.
    std::string receive()
    {
        for (;;) {
            std::string body;
            bool close = false;
            if (parse(body, close)) {
                if (close) {
                    m_closes = true;
                    ::close(m_fd);
                    open();
                }
                return body;
            }
            wait(POLLIN);
            fill();
        }
    }

private:
    void open()
    {
        m_fd = connectTo(m_options.adminPort, true);
        fcntl(m_fd, F_SETFL, fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        m_in.clear();
    }
    void wait(short events)
    {
        pollfd p{m_fd, events, 0};
        poll(&p, 1, 1000);
    }
    // Reads what is there; false if nothing was.
    bool fill()
    {
        char chunk[65536];
        const ssize_t n = read(m_fd, chunk, sizeof chunk);
        if (n == 0) {
            std::fprintf(stderr, "admin connection closed by server\n");
            std::exit(1);
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return false;
            die("admin read");
        }
        m_in.append(chunk, size_t(n));
        return true;
    }
    static size_t findHeader(const std::string &head, const char *name)
    {
        std::string lower = head;
        for (char &c : lower)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        const size_t at = lower.find(name);
        return at == std::string::npos ? at : at + std::strlen(name);
    }
    bool parse(std::string &body, bool &close)
    {
        const size_t end = m_in.find("\r\n\r\n");
        if (end == std::string::npos)
            return false;
        const std::string head = m_in.substr(0, end + 2);
        if (head.compare(0, 5, "HTTP/") != 0 || head.size() < 12 || head[9] != '2') {
            std::fprintf(stderr, "push refused: %s\n", head.substr(0, head.find('\r')).c_str());
            std::exit(1);
        }
        size_t consumed;
        if (findHeader(head, "\r\ntransfer-encoding: chunked") != std::string::npos) {
            size_t at = end + 4;
            for (;;) {
                const size_t line = m_in.find("\r\n", at);
                if (line == std::string::npos)
                    return false;
                const size_t size = std::strtoul(m_in.c_str() + at, nullptr, 16);
                if (m_in.size() < line + 2 + size + 2)
                    return false;
                body.append(m_in, line + 2, size);
                at = line + 2 + size + 2;
                if (size == 0)
                    break;
            }
            consumed = at;
        } else {
            const size_t lengthAt = findHeader(head, "\r\ncontent-length:");
            const size_t length = lengthAt != std::string::npos ? std::strtoul(head.c_str() + lengthAt, nullptr, 10) : 0;
            if (m_in.size() < end + 4 + length)
                return false;
            body = m_in.substr(end + 4, length);
            consumed = end + 4 + length;
        }
        m_in.erase(0, consumed);
        close = findHeader(head, "\r\nconnection: close") != std::string::npos;
        return true;
    }

    const Options &m_options;
    int m_fd = -1;
    bool m_closes = false;
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
        if (m_options.tls) {
            m_tls = SSL_CTX_new(TLS_client_method());
            SSL_CTX_set_verify(m_tls, SSL_VERIFY_NONE, nullptr);
            SSL_CTX_set_mode(m_tls, SSL_MODE_RELEASE_BUFFERS);
        }
    }

    void connectAll()
    {
        const long before = rssKb(m_options.serverPids);
        const auto start = Clock::now();
        m_streams.resize(size_t(m_options.streams));
        int pending = 0;
        for (size_t i = 0; i < m_streams.size(); ++i) {
            Stream &s = m_streams[i];
            s.fd = connectTo(m_options.ports[i % m_options.ports.size()], false);
            if (m_tls) {
                s.ssl = SSL_new(m_tls);
                SSL_set_fd(s.ssl, s.fd);
                SSL_set_connect_state(s.ssl);
            }
            const bool target = i == 0 && !m_options.targetUser.empty();
            const std::string &path = target && !m_options.targetPath.empty() ? m_options.targetPath : m_options.path;
            std::string request = "GET " + path + " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n";
            if (target && !m_options.noAuth)
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
            // --connect-window: at most that many streams opened and not ready yet.
            while (m_options.connectWindow > 0 && i + 1 - m_ready - m_closed >= size_t(m_options.connectWindow)) {
                if (Clock::now() - start > std::chrono::seconds(120)) {
                    std::fprintf(stderr, "only %zu of %zu streams ready\n", m_ready, i + 1);
                    std::exit(1);
                }
                pump(std::chrono::milliseconds(1));
            }
        }
        while (m_ready + m_closed < m_streams.size()) {
            if (Clock::now() - start > std::chrono::seconds(120)) {
                std::fprintf(stderr, "only %zu of %zu streams ready\n", m_ready, m_streams.size());
                std::exit(1);
            }
            pump(std::chrono::milliseconds(10));
        }
        if (m_options.warmup)
            warmUp();
        const auto took = Clock::now() - start;
        pump(std::chrono::milliseconds(300));
        const long after = rssKb(m_options.serverPids);
        std::printf("streams=%d connect_all_ms=%.1f", m_options.streams, ms(took));
        printClosed();
        if (before > 0)
            std::printf(" server_rss_kb_before=%ld server_rss_kb_after=%ld rss_per_stream_kb=%.2f", before,
                        after, double(after - before) / m_options.streams);
        std::printf("\n");
    }

    // Pushes until every stream the scenario reaches (the target alone in targeted mode) has
    // one of them: for a peer whose ready marker comes before the stream is subscribed
    // (Pushpin: the origin's first bytes pass before the handler subscribes the stream).
    void warmUp()
    {
        Admin admin(m_options);
        const bool targeted = !m_options.targetUser.empty();
        const std::string target = targeted ? R"(,"target":{"users":[")" + m_options.targetUser + "\"]}" : "";
        const auto start = Clock::now();
        for (int k = 0;; ++k) {
            m_marker = "warmup-" + std::to_string(k) + "-x";
            for (Stream &s : m_streams)
                s.got = false;
            m_got = 0;
            admin.send(pushBody(m_options.pushBodyTemplate, m_marker, target));
            admin.receive();
            const auto deadline = Clock::now() + std::chrono::milliseconds(200);
            while (m_got < expected(targeted) && Clock::now() < deadline)
                pump(std::chrono::milliseconds(1));
            if (m_got >= expected(targeted))
                return;
            if (Clock::now() - start > std::chrono::seconds(60)) {
                std::fprintf(stderr, "warm-up push reached %zu of %zu streams\n", m_got, expected(targeted));
                std::exit(1);
            }
        }
    }

    void latency()
    {
        Admin admin(m_options);
        std::vector<double> first, last, request;
        const bool targeted = !m_options.targetUser.empty();
        for (int k = 0; k < m_options.events; ++k) {
            m_marker = "bench-" + std::to_string(k) + "-x";
            for (Stream &s : m_streams)
                s.got = false;
            m_got = 0;
            const std::string target = targeted ? R"(,"target":{"users":[")" + m_options.targetUser + "\"]}" : "";
            const std::string body = pushBody(m_options.pushBodyTemplate, m_marker, target);
            const auto t0 = Clock::now();
            admin.send(body);
            admin.receive();
            request.push_back(ms(Clock::now() - t0));
            const auto deadline = t0 + std::chrono::seconds(30);
            while (m_got < expected(targeted) && Clock::now() < deadline)
                pump(std::chrono::milliseconds(1));
            if (m_got < expected(targeted)) {
                std::fprintf(stderr, "event %d reached %zu of %zu streams\n", k, m_got, expected(targeted));
                std::exit(1);
            }
            Clock::time_point firstAt = Clock::time_point::max(), lastAt = Clock::time_point::min();
            for (const Stream &s : m_streams) {
                if (!s.got || s.closed)
                    continue;
                firstAt = std::min(firstAt, s.gotAt);
                lastAt = std::max(lastAt, s.gotAt);
            }
            first.push_back(ms(firstAt - t0));
            last.push_back(ms(lastAt - t0));
            pump(std::chrono::milliseconds(20));
        }
        std::printf("mode=%s streams=%d events=%d push_rtt_ms_median=%.3f first_ms_median=%.3f first_ms_p99=%.3f "
                    "last_ms_median=%.3f last_ms_p99=%.3f",
                    targeted ? "targeted" : "broadcast", m_options.streams, m_options.events,
                    percentile(request, 0.5), percentile(first, 0.5), percentile(first, 0.99),
                    percentile(last, 0.5), percentile(last, 0.99));
        printClosed();
        std::printf("\n");
    }

    void sustained()
    {
        Admin admin(m_options);
        m_marker = "\n\n"; // count every event block
        for (Stream &s : m_streams)
            s.received = 0;
        const auto t0 = Clock::now();
        const std::string body = pushBody(m_options.pushBodyTemplate, "sustained", "");
        // Back to back, pipelined on one connection; one at a time where the server closes
        // the connection after each answer (known from the first).
        admin.send(body);
        admin.receive();
        for (int k = 1; k < m_options.burst; ++k) {
            admin.send(body);
            if (admin.closesEachRequest()) {
                admin.receive();
                pump(std::chrono::milliseconds(0)); // keep the streams read meanwhile
            }
        }
        if (!admin.closesEachRequest()) {
            for (int k = 1; k < m_options.burst; ++k)
                admin.receive();
        }
        const auto deadline = t0 + std::chrono::seconds(120);
        while (m_counted < (long long)m_options.burst * (long long)expected(false) && Clock::now() < deadline)
            pump(std::chrono::milliseconds(5));
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("mode=sustained streams=%d pushes=%d deliveries=%lld seconds=%.3f deliveries_per_s=%.0f",
                    m_options.streams, m_options.burst, m_counted, seconds, double(m_counted) / seconds);
        printClosed();
        std::printf("\n");
    }

private:
    // Streams an event must reach: the target alone, or every stream still open.
    size_t expected(bool targeted) const
    {
        if (targeted && m_streams[0].closed) {
            std::fprintf(stderr, "the target stream was closed by the server\n");
            std::exit(1);
        }
        return targeted ? 1 : m_streams.size() - m_closed;
    }

    void printClosed() const
    {
        if (m_options.allowClosed)
            std::printf(" closed_streams=%zu", m_closed);
    }

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
            if (s.ssl && !s.handshaken && !handshake(s))
                continue;
            if ((events[e].events & EPOLLOUT || s.ssl) && !s.requested) {
                writeRequest(s);
                s.requested = true;
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
                const ssize_t r = readSome(s, chunk, sizeof chunk);
                if ((r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) && m_options.allowClosed) {
                    // Left out from now on; its deliveries are not counted.
                    s.closed = true;
                    ++m_closed;
                    if (s.ready) {
                        --m_ready;
                        m_got -= s.got ? 1 : 0;
                        m_counted -= s.received;
                    }
                    epoll_ctl(m_epoll, EPOLL_CTL_DEL, s.fd, nullptr);
                    close(s.fd);
                    break;
                }
                if (r == 0) {
                    std::fprintf(stderr, "stream closed by server (stream %llu, %s); it had last read: %s\n",
                                 (unsigned long long)events[e].data.u64, s.ready ? "ready" : "not ready",
                                 s.buffer.substr(s.buffer.size() > 200 ? s.buffer.size() - 200 : 0).c_str());
                    std::exit(1);
                }
                if (r < 0)
                    break;
                s.buffer.append(chunk, size_t(r));
                if (!s.ready) {
                    if (m_options.readyMarker.empty()
                            ? s.buffer.find("\nid: ") == std::string::npos
                                && s.buffer.find("\r\n\r\nid: ") == std::string::npos
                            : s.buffer.find(m_options.readyMarker) == std::string::npos)
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
            // "data: sustained" or "data:sustained" (better-sse writes no space), then the
            // blank line.
            while ((at = s.buffer.find("sustained\n\n", at)) != std::string::npos) {
                ++m_counted;
                ++s.received;
                at += 11;
            }
            s.buffer.erase(0, s.buffer.size() > 10 ? s.buffer.size() - 10 : 0); // less than one marker
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
    SSL_CTX *m_tls = nullptr;
    std::vector<Stream> m_streams;
    size_t m_ready = 0;
    size_t m_closed = 0;
    size_t m_got = 0;
    long long m_counted = 0;
    std::string m_marker;
};

// "1,2,3" as numbers.
std::vector<int> numbers(const std::string &list)
{
    std::vector<int> out;
    for (size_t from = 0; from < list.size();) {
        const size_t comma = std::min(list.find(',', from), list.size());
        out.push_back(std::atoi(list.substr(from, comma - from).c_str()));
        from = comma + 1;
    }
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    Options options;
    for (int i = 1; i < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--tls") {
            options.tls = true;
            --i;
            continue;
        }
        if (key == "--no-auth" || key == "--warmup" || key == "--allow-closed") {
            (key == "--no-auth" ? options.noAuth : key == "--warmup" ? options.warmup : options.allowClosed) = true;
            --i;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "option %s needs a value\n", key.c_str());
            return 2;
        }
        const std::string value = argv[i + 1];
        if (key == "--port") options.ports = numbers(value);
        else if (key == "--admin-port") options.adminPort = std::atoi(value.c_str());
        else if (key == "--token") options.token = value;
        else if (key == "--path") options.path = value;
        else if (key == "--streams") options.streams = std::atoi(value.c_str());
        else if (key == "--events") options.events = std::atoi(value.c_str());
        else if (key == "--burst") options.burst = std::atoi(value.c_str());
        else if (key == "--target-user") options.targetUser = value;
        else if (key == "--jwt-secret") options.jwtSecret = value;
        else if (key == "--server-pid") options.serverPids = numbers(value); // their RSS is summed
        else if (key == "--push-path") options.pushUrlPath = value;
        else if (key == "--push-body") options.pushBodyTemplate = value;
        else if (key == "--push-content-type") options.pushContentType = value;
        else if (key == "--ready-marker") options.readyMarker = value;
        else if (key == "--target-path") options.targetPath = value;
        else if (key == "--connect-window") options.connectWindow = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    const bool portsGiven = !options.ports.empty()
        && std::all_of(options.ports.begin(), options.ports.end(), [](int port) { return port > 0 && port < 65536; });
    if (!portsGiven || options.adminPort <= 0 || options.streams <= 0) {
        std::fprintf(stderr, "--port, --admin-port and --streams must be given, as numbers\n");
        return 2;
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
