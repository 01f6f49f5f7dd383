package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// HashParams are argon2id's costs. A stored hash carries its own, so raising them affects only
// passwords set afterwards.
type HashParams struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultHashParams follow RFC 9106's second recommendation (3 passes over 64 MiB) with the
// two lanes this product's servers usually have: about 0.1 s a sign-in.
var DefaultHashParams = HashParams{Time: 3, Memory: 64 * 1024, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
	// MinPasswordLen and MaxPasswordLen bound a password in bytes: long enough to resist
	// guessing offline, short enough that hashing one costs what it should.
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// hashPassword returns the PHC string of password: $argon2id$v=19$m=…,t=…,p=…$salt$key.
func hashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the PHC string, in time independent of
// where they differ.
func checkPassword(password, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("stored password hash is not argon2id")
	}
	var v int
	var p HashParams
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, fmt.Errorf("stored password hash has argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("stored password hash parameters %q: %w", parts[3], err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("stored password hash salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("stored password hash key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkNewPassword says what is wrong with a password a person chose.
func checkNewPassword(user, password string) error {
	switch {
	case !utf8.ValidString(password):
		return errors.New("password is not valid UTF-8")
	case len(password) < MinPasswordLen:
		return fmt.Errorf("password is %d bytes, want at least %d", len(password), MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("password is %d bytes, want at most %d", len(password), MaxPasswordLen)
	case strings.EqualFold(password, user):
		return errors.New("password is the user name")
	}
	return nil
}

// randomPassword makes a password for an administrator to hand over: 16 characters from an
// alphabet without look-alikes (0/O, 1/l/I), about 90 bits.
func randomPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, 0, 16)
	buf := make([]byte, 32)
	for len(out) < cap(out) {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("making a password: %w", err)
		}
		for _, c := range buf {
			// Bytes past the last whole multiple of the alphabet would favour its first letters.
			if int(c) < 256/len(alphabet)*len(alphabet) && len(out) < cap(out) {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// randomToken makes a session id or API token: 32 random bytes, URL-safe.
func randomToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}
