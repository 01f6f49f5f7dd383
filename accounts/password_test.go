package accounts

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	phc, err := hashPassword("correct horse battery", HashParams{Time: 1, Memory: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with its parameters", phc)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := checkPassword(pw, phc); err != nil || ok != want {
			t.Errorf("checkPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := checkPassword("x", "$2a$10$bcrypt"); err == nil {
		t.Error("a hash of another kind was accepted")
	}
	again, _ := hashPassword("correct horse battery", HashParams{Time: 1, Memory: 64, Threads: 1})
	if again == phc {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func BenchmarkPasswordHash(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword("correct horse battery", DefaultHashParams); err != nil {
			b.Fatal(err)
		}
	}
}
