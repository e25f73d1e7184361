// Package records finds structured records in a legacy page: microdata of
// the official itemprop dictionary grouped by their main tags, staff tables
// and cards, contacts, document lists and dated news items. Each record
// says which element it came from. It imports nothing of perenos.
package records

import (
	"golang.org/x/net/html"
)

// Record is one structured item of the portal's "structured data array".
type Record struct {
	// Type is the record's kind: a microdata main tag (uchredLaw,
	// structOrgUprav, rucovodstvo, rucovodstvoZam, teachingStaff, ...) or a
	// detected kind (staff, contact, document, news).
	Type string `json:"type"`
	// Fields hold the values by canonical name (itemprop names in their
	// official spelling, or fio, post, phone, email, address, ...).
	Fields map[string]string `json:"fields"`
	// Source locates the element the record came from (a CSS-like path).
	Source string `json:"source"`
	// Method says how it was found: microdata, table, card, pattern.
	Method string `json:"method"`
}

// Options tune extraction.
type Options struct {
	// CrawlDate resolves relative dates («вчера») in news items; YYYY-MM-DD.
	CrawlDate string
}

// Extract returns the records of a parsed page. pageURL resolves links.
func Extract(pageURL string, doc *html.Node, opt Options) []Record {
	return nil
}
