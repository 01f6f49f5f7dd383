package events

import "strings"

// IsE164 reports whether s is a phone number in E.164 form: '+', a country code not starting
// with 0, and 8 to 15 digits in all.
func IsE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizePhone turns the ways numbers reach the hotline (mainland 11-digit mobiles, "0086",
// "86", spaces and dashes, area codes with a trunk 0) into E.164 with the default country code cc
// (digits only, e.g. "86"). It returns "" when the result is not a valid E.164 number.
func NormalizePhone(raw, cc string) string {
	var b strings.Builder
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "+"):
	case strings.HasPrefix(d, "00"):
		d = "+" + d[2:]
	case strings.HasPrefix(d, cc) && len(d) > 11:
		d = "+" + d
	case strings.HasPrefix(d, "0"):
		d = "+" + cc + d[1:] // trunk prefix of a fixed line: 020-1234 5678
	default:
		d = "+" + cc + d
	}
	if !IsE164(d) {
		return ""
	}
	return d
}

// MaskPhone hides the middle of a number for roles that need not see it: +86138****8000.
func MaskPhone(e164 string) string {
	if len(e164) < 9 {
		return strings.Repeat("*", len(e164))
	}
	keepHead, keepTail := len(e164)-8, 4
	return e164[:keepHead] + strings.Repeat("*", len(e164)-keepHead-keepTail) + e164[len(e164)-keepTail:]
}
