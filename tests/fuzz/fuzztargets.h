#pragma once

#include <QList>

#include <cstddef>
#include <cstdint>

// Fuzz bodies shared by the libFuzzer binaries (-DESH_FUZZ=ON, clang: one fuzz_<name> per
// function, lowercased) and the seeded random-input test that runs in every CTest run. Each
// aborts when an invariant breaks, and returns whether the input reached the accepting path,
// so the seeded test can tell that its generator gets past the first refusal.
namespace FuzzTargets {
// Arbitrary bytes through the parser, whole and split, must give the same events; every
// event's data re-encoded and re-parsed must come back unchanged. Accepted: any event.
bool sseParser(const uint8_t *data, size_t size);
// Arbitrary bytes as a push body: never crashes; an accepted event encodes to a frame whose
// parse gives exactly one event with the same name and data.
bool pushRequest(const uint8_t *data, size_t size);
// The bytes as a token, then split at the first newline into header and payload JSON that
// the target signs itself (a mutated signature never matches, so only this reaches the
// claim checks): only an HS256 header without "crit" and a payload whose exp and nbf hold
// is accepted, with exactly the payload's claims; a tampered signature never is.
bool jwt(const uint8_t *data, size_t size);
// The bytes as JSON claims: a principal (non-empty bounded user id, no empty or duplicate
// group entries, addressed by its own user, session and groups) or an error, never both.
bool jwtPrincipal(const uint8_t *data, size_t size);
// The bytes as a control-channel message: decoded, it has a string "type" and survives
// encode and decode unchanged; the connection records and target it may carry, read as the
// console and the server read them, survive their own toJson and fromJson.
bool controlProtocol(const uint8_t *data, size_t size);
// NUL-separated: the config file body, then arguments ("-..." ) and NAME=VALUE environment
// entries. An accepted config has every value within its documented bounds, and a flag
// added on top wins over the file and the environment.
bool configLoader(const uint8_t *data, size_t size);
// The bytes as a pause body: an accepted request is within bounds and its own JSON form
// parses back to the same request.
bool pauseRequest(const uint8_t *data, size_t size);
// The bytes as a test fault body: an accepted fault has only its type's parameters, each
// within bounds, one scope at most, and its own JSON form parses back to the same fault.
bool faultRequest(const uint8_t *data, size_t size);
// The bytes as a user directory file: every user listed is found by id and by name, with
// groups that exist, once each; no id is another entry's name.
bool userDirectory(const uint8_t *data, size_t size);

// The bytes before the first empty line as a request head (as SocketGuard hands it to
// RequestHead), the rest as its body: a head
// is refused with 400, 501 or 505 and a reason, or accepted only with CRLF line ends and
// a consistent framing; a chunked body gets the same verdict fed whole, in two pieces or
// byte by byte. Accepted: a head that passes.
bool requestHead(const uint8_t *data, size_t size);
// The bytes sent on one connection to a listener set up as the server's (TcpListener with its
// SocketGuard, HttpListener, small limits), on loopback in this process: the handler gets
// exactly the requests, with the bodies, that RequestHead and ChunkedBody find in the bytes,
// the client reads one whole answer per request in order, then the refusal (400, 413, 431,
// 501, 505) or the 404 to an upgrade, and the connection ends exactly when it must. Qt may
// close early on a request its own parser refuses, never answer more. Accepted: a request
// reached the handler.
bool httpSocket(const uint8_t *data, size_t size);

struct Entry
{
    const char *name; // the function's name; lowercased, its corpus and dictionary
    bool (*run)(const uint8_t *data, size_t size);
};
// Every target above, for the seeded test.
QList<Entry> all();
} // namespace FuzzTargets
