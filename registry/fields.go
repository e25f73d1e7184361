package registry

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Limits of a registry. A real region has about a thousand organisations
// and a handful of columns; these are far above that and far below what
// would fill the ledger or the memory.
const (
	maxFileBytes = 64 << 20 // a registry file, CSV or XLSX
	maxRows      = 100_000  // organisations in one file
	maxColumns   = 256      // columns of the header
	maxHeader    = 200      // characters of a header cell
	maxName      = 1000     // characters of a name (the longest real ones are about 300)
	maxPlace     = 300      // characters of a region, district or type
	maxURL       = 2000     // bytes of an address
	maxSetting   = 4000     // characters of any other cell
)

// fieldError is what is wrong with one cell.
type fieldError struct{ msg string }

// checkText refuses what no registry cell holds: bytes that are not
// UTF-8, control characters (NUL, the ESC that starts terminal escape
// sequences, C1 controls) and the invisible characters that reorder text
// (bidirectional overrides), and more than max characters. Tabs and line
// breaks are not refused: cleanText folds them.
func checkText(s string, max int) *fieldError {
	if !utf8.ValidString(s) {
		return &fieldError{"holds bytes that are not text in the file's encoding"}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return &fieldError{fmt.Sprintf("has %d characters, more than the %d allowed: is it the right column?", n, max)}
	}
	for i, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if bad := badRune(r); bad != "" {
			return &fieldError{fmt.Sprintf("holds %s (U+%04X) at character %d: remove it and import again", bad, r, utf8.RuneCountInString(s[:i])+1)}
		}
	}
	return nil
}

// badRune names a character no registry cell may hold, or returns "".
func badRune(r rune) string {
	switch {
	case r == 0:
		return "a NUL byte"
	case r == 0x1b:
		return "an escape character"
	case r < 0x20 || r == 0x7f:
		return "a control character"
	case r >= 0x80 && r <= 0x9f:
		return "a C1 control character"
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return "a bidirectional override"
	case r == 0xfffd:
		return "a replacement character (the text was damaged before it reached the file)"
	}
	return ""
}

// cleanText folds the spaces of a checked cell: tabs, line breaks
// (Alt+Enter in Excel), non-breaking and other Unicode spaces become one
// space, and the ends are trimmed.
func cleanText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == 0x2028 || r == 0x2029 }), " ")
}

// parseLegacyURL checks and normalises a legacy site's address: http or
// https, a host name or IP address, a port from 1 to 65535, no user name
// or password; a missing scheme means http, a missing path "/".
func parseLegacyURL(raw string) (string, *fieldError) {
	notURL := func(why string) *fieldError {
		return &fieldError{fmt.Sprintf("%q is not an http(s) address: %s; leave it empty if the organisation has no site", raw, why)}
	}
	if len(raw) > maxURL {
		return "", &fieldError{fmt.Sprintf("%d bytes, more than the %d an address may have", len(raw), maxURL)}
	}
	s := raw
	if strings.ContainsAny(s, " \t\r\n") {
		return "", notURL("it holds spaces")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", notURL(strings.TrimPrefix(err.Error(), "parse "))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", notURL("only http and https addresses are crawled")
	case u.User != nil:
		return "", notURL("it holds a user name or password, which must not be kept in the registry")
	case u.Hostname() == "":
		return "", notURL("it has no host name")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", notURL(fmt.Sprintf("port %s is not between 1 and 65535", p))
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", notURL("the port after ':' is missing")
	}
	if why := badHost(u.Hostname()); why != "" {
		return "", notURL(why)
	}
	if host := u.Hostname(); net.ParseIP(host) == nil {
		// a Cyrillic host (школа1.рф) as DNS and HTTP know it (xn--...)
		ascii, err := idna.Lookup.ToASCII(strings.ToLower(host))
		if err != nil {
			return "", notURL("the host name is not valid: " + err.Error())
		}
		if p := u.Port(); p != "" {
			ascii = net.JoinHostPort(ascii, p)
		}
		u.Host = ascii
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

// badHost says what is wrong with a host name, or returns "".
func badHost(h string) string {
	if net.ParseIP(h) != nil {
		return ""
	}
	if len(h) > 253 {
		return "the host name is longer than 253 characters"
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" {
			return "the host name has an empty part (two dots in a row)"
		}
		if len(label) > 63 {
			return "a part of the host name is longer than 63 characters"
		}
		for _, r := range label {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
				return fmt.Sprintf("the host name holds %q", r)
			}
		}
	}
	return ""
}
