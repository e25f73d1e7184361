package links

import (
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// scanScript calls fn for each string literal of a script, decoded, with
// nav set when the literal is what a navigation or a load is given
// (location.href = '…', window.open('…'), fetch('…'), $(…).load('…'),
// xhr.open('GET', '…')). Comments are skipped; template literals with
// substitutions are skipped. The scan is lexical and never runs anything.
func scanScript(js string, fn func(lit string, nav bool)) {
	for i := 0; i < len(js); i++ {
		switch ch := js[i]; {
		case ch == '/' && i+1 < len(js) && js[i+1] == '/':
			if j := strings.IndexByte(js[i:], '\n'); j >= 0 {
				i += j
			} else {
				return
			}
		case ch == '/' && i+1 < len(js) && js[i+1] == '*':
			if j := strings.Index(js[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				return
			}
		case ch == '\'' || ch == '"' || ch == '`':
			lit, end, ok := readLiteral(js, i)
			if ok {
				fn(lit, navContext(js[:i]))
			}
			i = end
		}
	}
}

// readLiteral reads the string literal opening at js[i]; end is the index
// of its closing quote (or where it broke off). ok is false for a literal
// that cannot be known without running the script.
func readLiteral(js string, i int) (lit string, end int, ok bool) {
	q := js[i]
	var b strings.Builder
	ok = true
	for j := i + 1; j < len(js); j++ {
		ch := js[j]
		switch {
		case ch == q:
			return b.String(), j, ok
		case ch == '\n' && q != '`':
			return "", j, false // an unterminated literal: not a string after all
		case ch == '$' && q == '`' && j+1 < len(js) && js[j+1] == '{':
			ok = false
			b.WriteByte(ch)
		case ch == '\\' && j+1 < len(js):
			j++
			switch e := js[j]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\n':
			case 'x':
				if j+2 < len(js) {
					if n, err := strconv.ParseUint(js[j+1:j+3], 16, 8); err == nil {
						b.WriteRune(rune(n))
						j += 2
					}
				}
			case 'u':
				if j+4 < len(js) {
					if n, err := strconv.ParseUint(js[j+1:j+5], 16, 16); err == nil {
						b.WriteRune(rune(n))
						j += 4
					}
				}
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(ch)
		}
		if b.Len() > 4096 {
			ok = false
		}
	}
	return "", len(js), false
}

// navigators are what, just before a literal, make it an address given
// to a navigation or a load.
var navigators = []string{
	"location=", "location.href=", ".href=", "location.assign(", "location.replace(", "window.open(",
	"open(", ".load(", "fetch(", "$.get(", ".get(", "url:", "href:", "src:", "navigate(",
}

// navContext reports whether the script before a literal ends with a
// navigation: the literal is where a person is sent, or what is loaded.
func navContext(before string) bool {
	b := strings.TrimRight(before[max(0, len(before)-48):], " \t\r\n")
	// xhr.open('GET', 'menu.html'): the second argument.
	if strings.HasSuffix(b, ",") {
		b2 := strings.TrimRight(b[:len(b)-1], " \t\r\n")
		for _, m := range []string{"'GET'", `"GET"`, "'get'", `"get"`} {
			if strings.HasSuffix(b2, m) {
				return true
			}
		}
	}
	compact := strings.ReplaceAll(b, " ", "")
	for _, n := range navigators {
		if strings.HasSuffix(compact, n) {
			return true
		}
	}
	return false
}

// pageExts are the extensions of pages.
var pageExts = map[string]bool{
	".html": true, ".htm": true, ".shtml": true, ".xhtml": true, ".php": true, ".php3": true, ".asp": true,
	".aspx": true, ".jsp": true, ".cfm": true,
}

// notLinks are extensions of what a script loads for itself, not for a
// person to read: code, styles, fonts, pictures of the interface.
var notLinks = map[string]bool{
	".js": true, ".mjs": true, ".css": true, ".json": true, ".map": true, ".svg": true, ".png": true,
	".gif": true, ".jpg": true, ".jpeg": true, ".webp": true, ".ico": true, ".woff": true, ".woff2": true,
	".ttf": true, ".eot": true, ".otf": true, ".mp3": true, ".mp4": true, ".swf": true, ".webm": true,
}

// looksLikeAddress decides whether a script's string literal is an
// address of the site's pages or files. A literal given to a navigation
// needs only to be address-shaped; any other must name a page or file by
// its extension, or be an absolute http(s) address. Data endpoints
// (/api/…) are never pages.
func looksLikeAddress(s string, nav bool) bool {
	if s == "" || len(s) > 1024 || !utf8.ValidString(s) || strings.ContainsAny(s, " \t\r\n<>\"{}|^`") {
		return false
	}
	ls := strings.ToLower(s)
	for _, p := range []string{"javascript:", "mailto:", "tel:", "data:", "#"} {
		if strings.HasPrefix(ls, p) {
			return false
		}
	}
	p := ls
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.ReplaceAll(p, `\`, "/")
	ext := path.Ext(p)
	if notLinks[ext] {
		return false
	}
	if apiPath(p) {
		return false // what a script loads for itself (an API), not a page
	}
	if nav {
		switch s {
		case "GET", "POST", "HEAD", "PUT", "get", "post", "_blank", "_self", "_top", "_parent":
			return false // xhr.open's method, window.open's target
		}
		return p != "" || strings.HasPrefix(ls, "?")
	}
	switch {
	case strings.HasPrefix(ls, "http://"), strings.HasPrefix(ls, "https://"):
		return len(ls) > len("https://")
	case pageExts[ext], fileExts[ext]:
		return len(p) > len(ext) && !strings.HasPrefix(path.Base(p), ".")
	}
	return false
}

// apiPath says a path is a script's data endpoint (/api/…, /ajax/…).
func apiPath(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "api", "ajax", "rest", "graphql", "wp-json":
			return true
		}
	}
	return false
}
