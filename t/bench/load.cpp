// load.cpp: the benchmark's HTTP load client: N keep-alive connections (one thread each) replay a
// request list, or run 100 simulated CalDAV clients' sync loops (--mixed); prints one JSON line.
//
// Build: g++ -O2 -std=c++17 -pthread load.cpp -o load
// List mode:  load --port P --list FILE --conns 8 [--duration S | --count N] [--random]
//             [--max-seconds S] [--auth user:pass]
//   FILE has one request per line, tab-separated:
//     METHOD  PATH  STATUSES  BODYFILE|-  EXPECTFILE|-  [Header: value]...
//   STATUSES is a comma list ("201,204"); any other status is an error. EXPECTFILE lists the hrefs
//   (one per line) the multistatus must contain, no more, no fewer: a wrong answer is counted
//   apart and is never throughput. Without --duration/--count each line is sent once.
// Mixed mode: load --port P --mixed --calendar PATH --clients 100 --duration S [--think-ms 500]
//             [--put-percent 10]
//   Each client loops: PROPFIND Depth 0 (getctag, sync-token); if the token moved,
//   sync-collection from its last token and calendar-multiget of what changed (answer checked);
//   sometimes a PUT of a new event; then a think time of 0.5..1.5 x --think-ms.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string auth = "bench:bench";
    std::string list;
    int conns = 1;
    double duration = 0;     // seconds; 0 = run by count
    long count = -1;         // requests in all; -1 = each list line once
    double max_seconds = 0;  // count mode: give up after this long (slow servers)
    bool random_order = false;
    bool mixed = false;
    std::string calendar;
    int clients = 100;
    double think_ms = 500;
    int put_percent = 10;
};

Options opt;

// ---- small helpers -------------------------------------------------------------------------

std::string base64(const std::string& in) {
    static const char* tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += {tab[v >> 18], tab[v >> 12 & 63], tab[v >> 6 & 63], tab[v & 63]};
    }
    if (i + 1 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        out += {tab[v >> 18], tab[v >> 12 & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {tab[v >> 18], tab[v >> 12 & 63], tab[v >> 6 & 63], '='};
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        fprintf(stderr, "load: cannot read %s\n", path.c_str());
        exit(2);
    }
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = (char)tolower((unsigned char)c);
    return s;
}

// Hrefs compare as paths: no scheme/host, percent-decoded, no trailing slash.
std::string normalize_href(std::string h) {
    if (h.compare(0, 7, "http://") == 0 || h.compare(0, 8, "https://") == 0) {
        size_t slash = h.find('/', h.find("//") + 2);
        h = slash == std::string::npos ? "/" : h.substr(slash);
    }
    std::string out;
    for (size_t i = 0; i < h.size(); i++) {
        if (h[i] == '%' && i + 2 < h.size() && isxdigit((unsigned char)h[i + 1]) && isxdigit((unsigned char)h[i + 2])) {
            out += (char)std::stoi(h.substr(i + 1, 2), nullptr, 16);
            i += 2;
        } else {
            out += h[i];
        }
    }
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

// Texts of every element whose local name is `name` (any namespace prefix). Enough for the
// multistatus bodies here; entity references other than &amp; do not occur in our hrefs/tokens.
std::vector<std::string> element_texts(const std::string& xml, const std::string& name) {
    std::vector<std::string> out;
    size_t pos = 0;
    while ((pos = xml.find('<', pos)) != std::string::npos) {
        size_t end = xml.find('>', pos);
        if (end == std::string::npos) break;
        std::string tag = xml.substr(pos + 1, end - pos - 1);
        pos = end + 1;
        if (tag.empty() || tag[0] == '/' || tag[0] == '?' || tag[0] == '!' || tag.back() == '/') continue;
        std::string qname = tag.substr(0, tag.find_first_of(" \t\r\n"));
        size_t colon = qname.find(':');
        if ((colon == std::string::npos ? qname : qname.substr(colon + 1)) != name) continue;
        size_t close = xml.find('<', pos);
        std::string text = xml.substr(pos, close - pos);
        size_t amp;
        while ((amp = text.find("&amp;")) != std::string::npos) text.replace(amp, 5, "&");
        text.erase(0, text.find_first_not_of(" \t\r\n"));
        text.erase(text.find_last_not_of(" \t\r\n") + 1);
        out.push_back(text);
    }
    return out;
}

std::set<std::string> hrefs_of(const std::string& xml) {
    std::set<std::string> out;
    for (auto& h : element_texts(xml, "href")) out.insert(normalize_href(h));
    return out;
}

// Empty when equal, else a short description of the difference.
std::string compare_hrefs(const std::set<std::string>& want, const std::set<std::string>& got) {
    std::vector<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
    if (missing.empty() && extra.empty()) return "";
    std::string msg = "expected " + std::to_string(want.size()) + " hrefs, got " + std::to_string(got.size()) + ": " +
                      std::to_string(missing.size()) + " missing, " + std::to_string(extra.size()) + " extra";
    if (!missing.empty()) msg += "; first missing " + missing[0];
    if (!extra.empty()) msg += "; first extra " + extra[0];
    return msg;
}

// ---- HTTP/1.1 over one keep-alive connection -----------------------------------------------

struct Response {
    int status = 0;
    std::string body;
    std::string error;  // transport failure
};

class Connection {
public:
    ~Connection() { close_fd(); }

    Response request(const std::string& method, const std::string& path, const std::vector<std::string>& headers,
                     const std::string& body) {
        std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + opt.host + ":" + std::to_string(opt.port) +
                          "\r\nAuthorization: Basic " + base64(opt.auth) +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
        for (auto& h : headers) req += h + "\r\n";
        req += "\r\n" + body;
        // A keep-alive connection the server closed meanwhile fails at once: retry once, fresh.
        for (int attempt = 0; attempt < 2; attempt++) {
            if (fd_ < 0 && !connect_fd()) return Response{0, "", "connect failed: " + std::string(strerror(errno))};
            bool fresh = fresh_;
            fresh_ = false;
            Response r;
            if (send_all(req) && read_response(r, method == "HEAD")) return r;
            close_fd();
            if (fresh || got_bytes_) return Response{0, "", "connection lost: " + std::string(strerror(errno))};
        }
        return Response{0, "", "connection lost"};
    }

private:
    int fd_ = -1;
    bool fresh_ = false;
    bool got_bytes_ = false;
    std::string buf_;

    bool connect_fd() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(opt.port);
        inet_pton(AF_INET, opt.host.c_str(), &a.sin_addr);
        if (connect(fd_, (sockaddr*)&a, sizeof a) != 0) {
            close_fd();
            return false;
        }
        int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval limit{300, 0};  // a hung server becomes an error, not a hung benchmark
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        fresh_ = true;
        buf_.clear();
        return true;
    }

    void close_fd() {
        if (fd_ >= 0) close(fd_);
        fd_ = -1;
    }

    bool send_all(const std::string& s) {
        size_t off = 0;
        while (off < s.size()) {
            ssize_t n = send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += (size_t)n;
        }
        return true;
    }

    bool fill() {  // read more bytes into buf_
        char tmp[65536];
        ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) return false;
        got_bytes_ = true;
        buf_.append(tmp, (size_t)n);
        return true;
    }

    bool take(size_t n, std::string& out) {  // the next n bytes
        while (buf_.size() < n)
            if (!fill()) return false;
        out.append(buf_, 0, n);
        buf_.erase(0, n);
        return true;
    }

    bool take_line(std::string& line) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos)
            if (!fill()) return false;
        line = buf_.substr(0, eol);
        buf_.erase(0, eol + 2);
        return true;
    }

    bool read_response(Response& r, bool head) {
        got_bytes_ = false;
        std::string line;
        if (!take_line(line) || line.size() < 12) return false;
        r.status = atoi(line.c_str() + 9);
        long length = -1;
        bool chunked = false, close_after = false;
        while (take_line(line) && !line.empty()) {
            std::string l = lower(line);
            if (l.compare(0, 15, "content-length:") == 0)
                length = atol(l.c_str() + 15);
            else if (l.compare(0, 18, "transfer-encoding:") == 0 && l.find("chunked") != std::string::npos)
                chunked = true;
            else if (l.compare(0, 11, "connection:") == 0 && l.find("close") != std::string::npos)
                close_after = true;
        }
        if (!line.empty()) return false;
        bool ok = true;
        if (head || r.status == 204 || r.status == 304 || r.status / 100 == 1) {
        } else if (chunked) {
            ok = read_chunked(r.body);
        } else if (length >= 0) {
            ok = take((size_t)length, r.body);
        } else {  // body until the server closes
            while (fill()) {
            }
            r.body = buf_;
            buf_.clear();
            close_after = true;
        }
        if (close_after) close_fd();
        return ok;
    }

    bool read_chunked(std::string& body) {
        std::string line;
        for (;;) {
            if (!take_line(line)) return false;
            size_t size = strtoul(line.c_str(), nullptr, 16);
            if (size == 0) break;
            if (!take(size, body) || !take_line(line)) return false;
        }
        while (take_line(line) && !line.empty()) {  // trailers
        }
        return true;
    }
};

// ---- results --------------------------------------------------------------------------------

struct Stats {
    std::vector<double> latency_ms;
    long errors = 0, wrong = 0;
    long syncs = 0, multigets = 0, puts = 0;  // mixed mode: what the clients did
    std::string first_error, first_wrong;

    void merge(const Stats& o) {
        latency_ms.insert(latency_ms.end(), o.latency_ms.begin(), o.latency_ms.end());
        errors += o.errors;
        wrong += o.wrong;
        syncs += o.syncs;
        multigets += o.multigets;
        puts += o.puts;
        if (first_error.empty()) first_error = o.first_error;
        if (first_wrong.empty()) first_wrong = o.first_wrong;
    }
    void error(const std::string& what) {
        errors++;
        if (first_error.empty()) first_error = what;
    }
    void mismatch(const std::string& what) {
        wrong++;
        if (first_wrong.empty()) first_wrong = what;
    }
};

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\', out += c;
        else if ((unsigned char)c < 0x20)
            out += ' ';
        else
            out += c;
    }
    return out;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    size_t k = std::min(v.size() - 1, (size_t)(p * (double)v.size()));
    std::nth_element(v.begin(), v.begin() + (long)k, v.end());
    return v[k];
}

void print_json(Stats& s, double seconds) {
    size_t n = s.latency_ms.size();
    double p50 = percentile(s.latency_ms, 0.50), p99 = percentile(s.latency_ms, 0.99);
    double sum = 0;
    for (double x : s.latency_ms) sum += x;
    printf(
        "{\"requests\": %zu, \"errors\": %ld, \"wrong\": %ld, \"seconds\": %.3f, "
        "\"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"mean_ms\": %.3f, "
        "\"syncs\": %ld, \"multigets\": %ld, \"puts\": %ld, "
        "\"first_error\": \"%s\", \"first_wrong\": \"%s\"}\n",
        n, s.errors, s.wrong, seconds, seconds > 0 ? (double)n / seconds : 0, p50, p99, n ? sum / (double)n : 0,
        s.syncs, s.multigets, s.puts, json_escape(s.first_error.substr(0, 300)).c_str(),
        json_escape(s.first_wrong.substr(0, 300)).c_str());
}

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// ---- list mode ------------------------------------------------------------------------------

struct Request {
    std::string method, path, body_file;
    std::set<int> statuses;
    const std::set<std::string>* expect = nullptr;  // hrefs the answer must hold exactly
    std::vector<std::string> headers;
};

std::vector<Request> requests;
std::map<std::string, std::set<std::string>> expect_sets;  // by file name, loaded once

void load_list(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto f = split(line, '\t');
        if (f.size() < 5) {
            fprintf(stderr, "load: bad line in %s: %s\n", file.c_str(), line.c_str());
            exit(2);
        }
        Request r{f[0], f[1], f[3] == "-" ? "" : f[3], {}, nullptr, {}};
        for (auto& s : split(f[2], ',')) r.statuses.insert(atoi(s.c_str()));
        if (f[4] != "-") {
            auto it = expect_sets.find(f[4]);
            if (it == expect_sets.end()) {
                std::set<std::string> hrefs;
                for (auto& h : split(read_file(f[4]), '\n'))
                    if (!h.empty()) hrefs.insert(normalize_href(h));
                it = expect_sets.emplace(f[4], hrefs).first;
            }
            r.expect = &it->second;
        }
        r.headers.assign(f.begin() + 5, f.end());
        requests.push_back(r);
    }
    if (requests.empty()) {
        fprintf(stderr, "load: %s has no requests\n", file.c_str());
        exit(2);
    }
}

void check(const Request& q, const Response& r, Stats& st) {
    if (!r.error.empty())
        st.error(q.method + " " + q.path + ": " + r.error);
    else if (!q.statuses.count(r.status))
        st.error(q.method + " " + q.path + ": status " + std::to_string(r.status) + ": " + r.body.substr(0, 200));
    else if (q.expect) {
        std::string diff = compare_hrefs(*q.expect, hrefs_of(r.body));
        if (!diff.empty()) st.mismatch(q.method + " " + q.path + ": " + diff);
    }
}

void run_list() {
    load_list(opt.list);
    long total = opt.count >= 0 ? opt.count : (opt.duration > 0 ? -1 : (long)requests.size());
    std::atomic<long> next{0};
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(opt.duration > 0 ? opt.duration : opt.max_seconds));
    bool timed = opt.duration > 0 || opt.max_seconds > 0;
    std::vector<Stats> stats(opt.conns);
    std::vector<std::thread> threads;
    for (int t = 0; t < opt.conns; t++) {
        threads.emplace_back([&, t] {
            Connection conn;
            std::mt19937_64 rng(1234 + t);
            for (;;) {
                long i = next++;
                if ((total >= 0 && i >= total) || (timed && Clock::now() >= deadline)) break;
                const Request& q = requests[opt.random_order ? rng() % requests.size() : (size_t)i % requests.size()];
                std::string body = q.body_file.empty() ? "" : read_file(q.body_file);
                auto t0 = Clock::now();
                Response r = conn.request(q.method, q.path, q.headers, body);
                stats[t].latency_ms.push_back(ms_since(t0));
                check(q, r, stats[t]);
            }
        });
    }
    for (auto& th : threads) th.join();
    Stats all;
    for (auto& s : stats) all.merge(s);
    print_json(all, ms_since(start) / 1000);
}

// ---- mixed mode: simulated sync clients -----------------------------------------------------

const char* kPropfind0 =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:propfind xmlns:D=\"DAV:\" "
    "xmlns:CS=\"http://calendarserver.org/ns/\"><D:prop><CS:getctag/><D:sync-token/></D:prop>"
    "</D:propfind>";

std::string sync_body(const std::string& token) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:sync-collection xmlns:D=\"DAV:\">"
           "<D:sync-token>" +
           token +
           "</D:sync-token><D:sync-level>1</D:sync-level>"
           "<D:prop><D:getetag/></D:prop></D:sync-collection>";
}

std::string multiget_body(const std::vector<std::string>& hrefs) {
    std::string b =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<C:calendar-multiget "
        "xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop>"
        "<D:getetag/><C:calendar-data/></D:prop>";
    for (auto& h : hrefs) b += "<D:href>" + h + "</D:href>";
    return b + "</C:calendar-multiget>";
}

std::string new_event(const std::string& uid, int n) {
    char when[32];
    snprintf(when, sizeof when, "2035%02d%02dT%02d0000Z", n % 12 + 1, n % 28 + 1, 8 + n % 10);
    return std::string(
               "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mod_caldav//bench load//EN\r\n"
               "BEGIN:VEVENT\r\nUID:") +
           uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + when +
           "\r\nDURATION:PT1H\r\nSUMMARY:Mixed profile event " + std::to_string(n) +
           "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

class SyncClient {
public:
    SyncClient(int id, Stats& st) : id_(id), st_(st), rng_(99 + id) {}

    void run(Clock::time_point deadline) {
        std::string token = poll();
        while (Clock::now() < deadline) {
            std::string now = poll();
            if (token.empty())  // the first poll failed: never sync from scratch
                token = now;
            else if (!now.empty() && now != token)
                token = sync(token);
            if ((int)(rng_() % 100) < opt.put_percent) put();
            std::uniform_real_distribution<double> think(0.5 * opt.think_ms, 1.5 * opt.think_ms);
            auto wake = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double, std::milli>(think(rng_)));
            std::this_thread::sleep_until(std::min(wake, deadline));
        }
    }

private:
    int id_, puts_ = 0;
    Stats& st_;
    std::mt19937_64 rng_;
    Connection conn_;

    Response timed(const std::string& method, const std::string& path, const std::vector<std::string>& headers,
                   const std::string& body, int want) {
        auto t0 = Clock::now();
        Response r = conn_.request(method, path, headers, body);
        st_.latency_ms.push_back(ms_since(t0));
        if (!r.error.empty())
            st_.error(method + ": " + r.error);
        else if (r.status != want && !(want == 201 && r.status == 204))
            st_.error(method + " " + path + ": status " + std::to_string(r.status) + ": " + r.body.substr(0, 200));
        else
            return r;
        return Response{};
    }

    std::string poll() {  // the collection's sync-token, "" on error
        Response r = timed("PROPFIND", opt.calendar, {"Depth: 0", "Content-Type: application/xml; charset=utf-8"},
                           kPropfind0, 207);
        auto tokens = element_texts(r.body, "sync-token");
        return tokens.empty() ? "" : tokens[0];
    }

    std::string sync(const std::string& from) {  // returns the new token
        Response r = timed("REPORT", opt.calendar, {"Depth: 1", "Content-Type: application/xml; charset=utf-8"},
                           sync_body(from), 207);
        if (r.status != 207) return from;
        st_.syncs++;
        std::vector<std::string> changed;
        std::string self = normalize_href(opt.calendar);
        for (auto& h : element_texts(r.body, "href"))
            if (normalize_href(h) != self && changed.size() < 100) changed.push_back(normalize_href(h));
        if (!changed.empty()) {
            Response m = timed("REPORT", opt.calendar, {"Depth: 1", "Content-Type: application/xml; charset=utf-8"},
                               multiget_body(changed), 207);
            if (m.status == 207) {
                st_.multigets++;
                std::string diff = compare_hrefs({changed.begin(), changed.end()}, hrefs_of(m.body));
                if (!diff.empty()) st_.mismatch("multiget after sync: " + diff);
            }
        }
        auto tokens = element_texts(r.body, "sync-token");
        return tokens.empty() ? from : tokens[0];
    }

    void put() {
        std::string uid = "mixed-" + std::to_string(id_) + "-" + std::to_string(puts_++);
        st_.puts++;
        timed("PUT", opt.calendar + uid + ".ics", {"Content-Type: text/calendar; charset=utf-8", "If-None-Match: *"},
              new_event(uid, puts_), 201);
    }
};

void run_mixed() {
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.duration));
    std::vector<Stats> stats(opt.clients);
    std::vector<std::thread> threads;
    for (int c = 0; c < opt.clients; c++) threads.emplace_back([&, c] { SyncClient(c, stats[c]).run(deadline); });
    for (auto& th : threads) th.join();
    Stats all;
    for (auto& s : stats) all.merge(s);
    print_json(all, ms_since(start) / 1000);
}

void usage() {
    fprintf(stderr,
            "usage: load --port P (--list FILE [--conns N] [--duration S | --count N] "
            "[--random] [--max-seconds S] | --mixed --calendar PATH [--clients N] "
            "--duration S [--think-ms MS] [--put-percent P]) [--host H] [--auth U:P]\n");
    exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (a == "--host")
            opt.host = val();
        else if (a == "--port")
            opt.port = atoi(val().c_str());
        else if (a == "--auth")
            opt.auth = val();
        else if (a == "--list")
            opt.list = val();
        else if (a == "--conns")
            opt.conns = atoi(val().c_str());
        else if (a == "--duration")
            opt.duration = atof(val().c_str());
        else if (a == "--count")
            opt.count = atol(val().c_str());
        else if (a == "--max-seconds")
            opt.max_seconds = atof(val().c_str());
        else if (a == "--random")
            opt.random_order = true;
        else if (a == "--mixed")
            opt.mixed = true;
        else if (a == "--calendar")
            opt.calendar = val();
        else if (a == "--clients")
            opt.clients = atoi(val().c_str());
        else if (a == "--think-ms")
            opt.think_ms = atof(val().c_str());
        else if (a == "--put-percent")
            opt.put_percent = atoi(val().c_str());
        else
            usage();
    }
    if (opt.port <= 0 || (opt.mixed ? opt.calendar.empty() || opt.duration <= 0 : opt.list.empty())) usage();
    if (opt.mixed)
        run_mixed();
    else
        run_list();
    return 0;
}
