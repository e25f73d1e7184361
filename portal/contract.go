// Package portal is the import API contract perenos needs from the federal
// portal's site builder (the OpenAPI document openapi.yaml and its Go types)
// and a reference server that implements it. It imports nothing of perenos.
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

// ValidKey reports whether key may address an object.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

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
	Body      string `json:"body"`
	SourceURL string `json:"source_url,omitempty"`
	Order     int    `json:"order"`
}

// Document is a file with a title, kind and date, shown in a section.
type Document struct {
	Section    string `json:"section"`
	Title      string `json:"title"`
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

// NewObject returns a pointer to an empty value of a collection's type,
// for decoding that collection's bodies.
func NewObject(kind Kind) (any, error) {
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

// PutResult is the portal's answer to an upsert.
type PutResult struct {
	ID      string `json:"id"`
	Key     string `json:"key"`
	URL     string `json:"url"`     // public URL of the object
	Created bool   `json:"created"` // 201 rather than 200
}

// Problem is an application/problem+json error body (RFC 9457).
type Problem struct {
	Type     string `json:"type,omitempty"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

func (p *Problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("portal: %d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("portal: %d %s", p.Status, p.Title)
}

// ContentHash is the hash that verify compares: SHA-256 of the object's
// canonical JSON encoding (struct field order, map keys sorted).
func ContentHash(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// PublicPath is where an object is shown on the portal, relative to the
// portal's base URL. It follows from the key alone, so links can be
// rewritten before the object exists.
func PublicPath(site string, kind Kind, key string) string {
	return "/sites/" + site + "/" + string(kind) + "/" + key
}

// FilePath is where a file is served, under its original name.
func FilePath(site, sha, name string) string {
	return "/sites/" + site + "/files/" + sha + "/" + name
}
