// Package charset decodes the bytes of legacy web pages to UTF-8: it decides
// the encoding from the byte-order mark, then the Content-Type header, then
// the page's <meta>, then by sniffing, and lets the bytes overrule a
// declaration they contradict (a page that declares windows-1251 but is
// valid UTF-8 Cyrillic is read as UTF-8).
package charset

import (
	"bytes"
	"strings"
	"unicode/utf8"

	xcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// Source says where the decision came from.
type Source string

// The sources of a charset decision.
const (
	FromBOM    Source = "bom"
	FromHeader Source = "header"
	FromMeta   Source = "meta"
	FromSniff  Source = "sniff"
	FromBytes  Source = "bytes-overrule" // the declaration was contradicted by the bytes
)

// Result is a decoded page.
type Result struct {
	Text     string
	Charset  string // canonical lower-case name: utf-8, windows-1251, koi8-r, ...
	Source   Source
	Declared string // what the header or meta declared, if anything
}

// Decode turns body into UTF-8 text. contentType is the HTTP header value
// (may be empty). It never fails: undecodable bytes become U+FFFD.
func Decode(body []byte, contentType string) Result {
	if r, ok := decodeBOM(body); ok {
		return r
	}
	declared, src := declaredCharset(body, contentType)
	validUTF8 := utf8.Valid(body)
	switch {
	case declared == "":
		if validUTF8 {
			return Result{Text: string(body), Charset: "utf-8", Source: FromSniff}
		}
		name := sniffCyrillic(body)
		return Result{Text: decodeWith(body, name), Charset: name, Source: FromSniff}
	case declared == "utf-8":
		if validUTF8 {
			return Result{Text: string(body), Charset: "utf-8", Source: src, Declared: declared}
		}
		name := sniffCyrillic(body)
		return Result{Text: decodeWith(body, name), Charset: name, Source: FromBytes, Declared: declared}
	default:
		if validUTF8 && hasMultibyte(body) {
			return Result{Text: string(body), Charset: "utf-8", Source: FromBytes, Declared: declared}
		}
		if isCyrillicSingleByte(declared) && !validUTF8 {
			// windows-1251 and koi8-r are often confused by servers; trust the letters.
			if guess := sniffCyrillic(body); guess != declared && cyrillicScore(body, guess) > 2*cyrillicScore(body, declared)+8 {
				return Result{Text: decodeWith(body, guess), Charset: guess, Source: FromBytes, Declared: declared}
			}
		}
		return Result{Text: decodeWith(body, declared), Charset: declared, Source: src, Declared: declared}
	}
}

func decodeBOM(body []byte) (Result, bool) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return Result{Text: string(body[3:]), Charset: "utf-8", Source: FromBOM}, true
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return Result{Text: decodeEnc(body, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)), Charset: "utf-16le", Source: FromBOM}, true
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return Result{Text: decodeEnc(body, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)), Charset: "utf-16be", Source: FromBOM}, true
	}
	return Result{}, false
}

// declaredCharset returns the canonical name declared by the header, else by a <meta> in the first 4 KB.
func declaredCharset(body []byte, contentType string) (string, Source) {
	if i := strings.Index(strings.ToLower(contentType), "charset="); i >= 0 {
		v := strings.Trim(strings.TrimSpace(strings.SplitN(contentType[i+8:], ";", 2)[0]), `"'`)
		if name := canonical(v); name != "" {
			return name, FromHeader
		}
	}
	head := body
	if len(head) > 4096 {
		head = head[:4096]
	}
	if !bytes.Contains(bytes.ToLower(head), []byte("charset")) {
		return "", ""
	}
	_, name, _ := xcharset.DetermineEncoding(head, "text/html")
	// DetermineEncoding falls back to windows-1252 when nothing is declared;
	// only trust it when the name is really declared in the head.
	if name == "" || (name == "windows-1252" && !declares1252(head)) {
		return "", ""
	}
	return canonical(name), FromMeta
}

func declares1252(head []byte) bool {
	h := bytes.ToLower(head)
	return bytes.Contains(h, []byte("1252")) || bytes.Contains(h, []byte("iso-8859-1")) || bytes.Contains(h, []byte("latin1"))
}

// canonical maps a label to a canonical lower-case encoding name ("" if unknown).
func canonical(label string) string {
	label = strings.ToLower(strings.TrimSpace(label))
	switch label {
	case "cp1251", "win-1251", "windows1251", "x-cp1251":
		return "windows-1251"
	case "utf8":
		return "utf-8"
	}
	e, err := htmlindex.Get(label)
	if err != nil {
		return ""
	}
	name, err := htmlindex.Name(e)
	if err != nil {
		return ""
	}
	return strings.ToLower(name)
}

func isCyrillicSingleByte(name string) bool {
	return name == "windows-1251" || name == "koi8-r" || name == "koi8-u" || name == "ibm866"
}

func hasMultibyte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// sniffCyrillic picks windows-1251 or koi8-r for bytes that are not UTF-8.
func sniffCyrillic(body []byte) string {
	if cyrillicScore(body, "koi8-r") > cyrillicScore(body, "windows-1251") {
		return "koi8-r"
	}
	return "windows-1251"
}

// cyrillicScore rewards lower-case Cyrillic letters, which dominate Russian
// text, and penalises upper-case ones and symbols in the decoded high bytes.
func cyrillicScore(body []byte, name string) int {
	score := 0
	var table *charmap.Charmap
	switch name {
	case "koi8-r":
		table = charmap.KOI8R
	case "windows-1251":
		table = charmap.Windows1251
	default:
		return 0
	}
	for _, c := range body {
		if c < 0x80 {
			continue
		}
		r := table.DecodeByte(c)
		switch {
		case r >= 'а' && r <= 'я' || r == 'ё':
			score += 2
		case r >= 'А' && r <= 'Я' || r == 'Ё':
			score--
		default:
			score -= 2
		}
	}
	return score
}

func decodeWith(body []byte, name string) string {
	e, err := htmlindex.Get(name)
	if err != nil {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	return decodeEnc(body, e)
}

func decodeEnc(body []byte, e encoding.Encoding) string {
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	return string(out)
}
