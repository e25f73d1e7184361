// Package portal is the import API contract perenos needs from the federal
// portal's site builder: the OpenAPI document (openapi.yaml), its Go types,
// the bulk-import bundle format and the problem type of its errors. It
// imports nothing of perenos and holds no server: the reference portal
// that implements the contract is portal/server, so a client compiles only
// this package.
package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
)

// Kind names a collection of a site's objects; it is also the URL segment.
type Kind string

// The collections of a portal site. Files are addressed by SHA-256 and
// travel as raw bytes; the others are JSON objects addressed by the
// client's key.
const (
	KindSection  Kind = "sections"
	KindPage     Kind = "pages"
	KindDocument Kind = "documents"
	KindNews     Kind = "news"
	KindRecord   Kind = "records"
	KindFile     Kind = "files"
)

// ObjectKinds are the JSON collections, in the order an upload writes them
// (sections before what they hold).
var ObjectKinds = []Kind{KindSection, KindPage, KindDocument, KindNews, KindRecord}

// keyPattern is what a client key may look like: URL-safe without escaping.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

// ValidKey reports whether key may address an object (or name a site or a
// portal).
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// pathPattern is what an object's public path may look like: lowercase
// ASCII segments, so that it needs no escaping in a URL or an nginx map.
var pathPattern = regexp.MustCompile(`^/([a-z0-9][a-z0-9._~-]*/)*([a-z0-9][a-z0-9._~-]*)?$`)

// ValidPath reports whether p may be an object's public path on its site.
func ValidPath(p string) bool { return len(p) <= 400 && pathPattern.MatchString(p) }

// Object is the body of one of a site's JSON collections: *Section, *Page,
// *Document, *NewsItem or *Record. Its Kind names its collection, so a
// body cannot be sent to the wrong one; only this package's types are
// objects.
type Object interface {
	Kind() Kind
	object()
}

// Section is a node of a site's section tree.
type Section struct {
	Title  string `json:"title"`
	Parent string `json:"parent,omitempty"` // key of the parent section
	Path   string `json:"path"`             // the section's path in the portal's template
	Order  int    `json:"order"`
}

// Page is a content page of a section; Body is Markdown.
type Page struct {
	Section   string `json:"section"`
	Title     string `json:"title"`
	Path      string `json:"path,omitempty"` // public path on the site: the section's path plus a slug
	Body      string `json:"body"`
	SourceURL string `json:"source_url,omitempty"`
	Order     int    `json:"order"`
}

// Document is a file with a title, kind and date, shown in a section.
type Document struct {
	Section    string `json:"section"`
	Title      string `json:"title"`
	Path       string `json:"path,omitempty"`     // public path of the file on the site
	DocKind    string `json:"doc_kind,omitempty"` // устав, лицензия, ...
	Date       string `json:"date,omitempty"`     // YYYY-MM-DD
	FileSHA256 string `json:"file_sha256"`
	FileName   string `json:"file_name"` // original name, kept where the rules require it
	Size       int64  `json:"size"`
	SourceURL  string `json:"source_url,omitempty"`
	Order      int    `json:"order"`
}

// NewsItem is a dated news post.
type NewsItem struct {
	Section   string `json:"section"`
	Title     string `json:"title"`
	Path      string `json:"path,omitempty"` // public path on the site
	Date      string `json:"date,omitempty"`
	Body      string `json:"body"`
	SourceURL string `json:"source_url,omitempty"`
}

// Record is one row of the structured data array: a staff member, a founder,
// a governing body, a contact block.
type Record struct {
	Section    string            `json:"section"`
	RecordType string            `json:"record_type"`
	Fields     map[string]string `json:"fields"`
	SourceURL  string            `json:"source_url,omitempty"`
}

// Kind is sections.
func (*Section) Kind() Kind { return KindSection }

// Kind is pages.
func (*Page) Kind() Kind { return KindPage }

// Kind is documents.
func (*Document) Kind() Kind { return KindDocument }

// Kind is news.
func (*NewsItem) Kind() Kind { return KindNews }

// Kind is records.
func (*Record) Kind() Kind { return KindRecord }

func (*Section) object()  {}
func (*Page) object()     {}
func (*Document) object() {}
func (*NewsItem) object() {}
func (*Record) object()   {}

var (
	_ Object = (*Section)(nil)
	_ Object = (*Page)(nil)
	_ Object = (*Document)(nil)
	_ Object = (*NewsItem)(nil)
	_ Object = (*Record)(nil)
)

// NewObject returns an empty object of a collection's type, for decoding
// that collection's bodies.
func NewObject(kind Kind) (Object, error) {
	switch kind {
	case KindSection:
		return &Section{}, nil
	case KindPage:
		return &Page{}, nil
	case KindDocument:
		return &Document{}, nil
	case KindNews:
		return &NewsItem{}, nil
	case KindRecord:
		return &Record{}, nil
	}
	return nil, fmt.Errorf("unknown collection %q", kind)
}

// DecodeObject reads a body of the collection kind.
func DecodeObject(kind Kind, raw []byte) (Object, error) {
	v, err := NewObject(kind)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("decode %s body: %w", kind, err)
	}
	return v, nil
}

// PutResult is the portal's answer to an upsert.
type PutResult struct {
	ID      string `json:"id"`
	Key     string `json:"key"`
	URL     string `json:"url"`     // public URL of the object
	Created bool   `json:"created"` // 201 rather than 200
}

// Info is what a portal says about itself (GET /api/v1/portal). ID names
// this portal's storage: it is chosen when the storage is created and
// stays the same across restarts, addresses and ports, so a client keeps
// one record of what it uploaded per portal, and a second, empty or
// restored portal is never mistaken for the first.
type Info struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// PublicURL is where the portal shows its sites: a site's public
	// path p is at PublicURL + SitePath(site, p).
	PublicURL string `json:"public_url,omitempty"`
}

// Problem is an application/problem+json error body (RFC 9457).
type Problem struct {
	Type     string `json:"type,omitempty"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field names the request body's field at fault (an extension member),
	// so that a client can say what to change: "title", "section", ...
	Field string `json:"field,omitempty"`
}

func (p *Problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("portal: %d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("portal: %d %s", p.Status, p.Title)
}

// KeyList is the answer of a collection listing.
type KeyList struct {
	Keys []string `json:"keys"`
}

// SiteTree is a site's section tree with what each section holds, as
// GET /api/v1/sites/{site} answers it.
type SiteTree struct {
	Site     string        `json:"site"`
	Sections []TreeSection `json:"sections"`
	Files    int           `json:"files"`
}

// TreeSection is one section of a SiteTree, in tree order.
type TreeSection struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	Parent    string `json:"parent,omitempty"`
	Path      string `json:"path"`
	Depth     int    `json:"depth"`
	Pages     int    `json:"pages"`
	Documents int    `json:"documents"`
	News      int    `json:"news"`
	Records   int    `json:"records"`
}

// ContentHash is the hash that verify compares: SHA-256 of the object's
// canonical JSON encoding (struct field order, map keys sorted).
func ContentHash(v Object) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// SitePath is where a site's public path is served, relative to the
// portal's public base URL: every site of the portal lives under
// /sites/{site}, and an object at path p under /sites/{site}{p}.
func SitePath(site, path string) string {
	return "/sites/" + site + path
}

// FilePath is where a file is served under a name, relative to the
// portal's base URL; a document with a public path is also served there.
func FilePath(site, sha, name string) string {
	return "/sites/" + site + "/files/" + sha + "/" + name
}
