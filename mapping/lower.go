package mapping

import (
	"unicode"
	"unicode/utf8"
)

// Mapping lower-cases and splits every page's text, most of it Russian:
// strings.ToLower and unicode.IsLetter take their slow path for every
// Cyrillic letter. These do the same, the Russian alphabet first.

// lowerRune is unicode.ToLower, with ASCII and the Cyrillic block's
// capitals (А-Я, Ѐ-Џ) and small letters answered without a table search.
func lowerRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case 0x410 <= r && r <= 0x42F: // А-Я
		return r + 0x20
	case 0x430 <= r && r <= 0x45F: // а-я, ѐ-џ
		return r
	case 0x400 <= r && r <= 0x40F: // Ѐ-Џ
		return r + 0x50
	}
	return unicode.ToLower(r)
}

// wordRune is unicode.IsLetter(r) || unicode.IsDigit(r) for a rune already
// lower-cased.
func wordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	case 0x400 <= r && r <= 0x45F:
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lowerText is strings.ToLower: the same result for every input, invalid
// UTF-8 included (each bad byte becomes U+FFFD, as strings.Map writes it).
func lowerText(s string) string {
	i := 0
	for i < len(s) { // most of a text is often lower case already
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || lowerRune(r) != r {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s)+8)
	copy(b, s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		b = utf8.AppendRune(b, lowerRune(r)) // RuneError of a bad byte is U+FFFD
	}
	return string(b)
}
