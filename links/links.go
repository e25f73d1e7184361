// Package links finds the links of an HTML page that a person could
// follow: anchors, image maps and frames, and also what legacy sites hide
// from a plain reading of the markup: addresses in onclick handlers, menus
// a script loads from another file of the site (fetch('header.html')),
// GET forms that jump to the page chosen in a select, hrefs written with
// backslashes, meta refreshes, and the images a page shows. Every link
// says how it was found (store.Via) and what it points at (Target).
//
// The same rules serve the crawler, which reads each page once as a token
// stream (FromHTML), and the extract stage, which walks each page's parsed
// tree once (FromNode, or a Visitor fed from its own walk). Scripts are
// read for their string literals, never run.
package links

import (
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"perenos/store"
)

// Target is what a link points at, as far as the page that has it says.
type Target uint8

// The targets of links.
const (
	Page   Target = iota // an HTML page, or nothing says otherwise
	File                 // a document: a file's extension, or <a download>
	Image                // an image the page shows (<img src>, srcset)
	Script               // a script file the page runs (<script src>)
)

func (t Target) String() string {
	switch t {
	case File:
		return "file"
	case Image:
		return "image"
	case Script:
		return "script"
	}
	return "page"
}

// Link is one link of a page.
type Link struct {
	// URL is absolute and has no fragment; it is resolved but not
	// canonicalised (the crawler canonicalises, extract keeps it).
	URL string
	// Text is what a person reads for it: the anchor's text, else its
	// title, else the alt text of an image inside it.
	Text   string
	Via    store.Via
	Target Target
}

// maxText bounds an anchor text kept for a link.
const maxText = 512

// fileExts are the file types treated as documents (attachments).
var fileExts = map[string]bool{
	".pdf": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".odt": true, ".ods": true,
	".rtf": true, ".zip": true, ".rar": true, ".7z": true, ".jpg": true, ".jpeg": true, ".png": true,
	".ppt": true, ".pptx": true, ".odp": true, ".txt": true, ".csv": true, ".sig": true, ".gif": true,
}

// IsFile reports whether a URL names a file (a document, an archive, a
// picture) by its extension.
func IsFile(u *url.URL) bool { return fileExts[strings.ToLower(path.Ext(u.Path))] }

// IsFileExt reports whether an extension (".pdf", any case) names a file.
func IsFileExt(ext string) bool { return fileExts[strings.ToLower(ext)] }

// Resolve reads raw, an address as written in a page, the way a browser
// does, against base: surrounding spaces and embedded tabs and newlines
// are dropped, backslashes before the query are slashes, and the fragment
// goes. ok is false for what is not an http(s) address (mailto:,
// javascript:, a bare #fragment). backslash says the address was written
// with backslashes.
func Resolve(base *url.URL, raw string) (abs string, backslash bool, ok bool) {
	u, backslash, ok := resolve(base, raw)
	if !ok {
		return "", false, false
	}
	return u.String(), backslash, true
}

func resolve(base *url.URL, raw string) (*url.URL, bool, bool) {
	raw = strings.TrimSpace(raw)
	if strings.ContainsAny(raw, "\t\n\r") {
		raw = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(raw)
	}
	if raw == "" || raw[0] == '#' {
		return nil, false, false
	}
	end := len(raw)
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		end = i
	}
	backslash := false
	if strings.Contains(raw[:end], `\`) {
		raw = strings.ReplaceAll(raw[:end], `\`, "/") + raw[end:]
		backslash = true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false, false
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false, false
	}
	u.Fragment, u.RawFragment = "", ""
	return u, backslash, true
}

// collapse joins the words of s with single spaces.
func collapse(s string) string {
	s = strings.TrimSpace(s)
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		switch s[i] {
		case '\t', '\n', '\r', '\f', '\v':
			clean = false
		case ' ':
			clean = i+1 < len(s) && s[i+1] != ' '
		}
	}
	if clean && utf8.ValidString(s) && !strings.ContainsRune(s, '\u00a0') {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
