// Package extract turns raw legacy HTML into a Document: title, main
// content as Markdown and plain text, links and attachments with their
// anchor texts, microdata names, and an account of what was dropped as the
// site's template. It is pure: bytes in, values out, no I/O.
//
// With a Template learned from the site's other pages, the blocks the site
// repeats are dropped and the rest is content. A Site extracts a whole
// site in one streaming pass that parses each page once and learns the
// template from the pages' block fingerprints (Blocks) as they come. A page alone (a small site,
// or the Zyte benchmark in extract/zyte) is judged by its own signals
// instead: running text and its link density, landmarks, ids and classes
// (pagemain.go). Either way every block left out is listed in
// Document.Dropped with the reason, for the review.
package extract

import (
	"net/url"
	"perenos/extract/records"
	"perenos/links"
)

// Link is a hyperlink of a page.
type Link struct {
	URL        string `json:"url"`
	Text       string `json:"text"`
	Attachment bool   `json:"attachment,omitempty"` // names a file (pdf, docx, ...)
	InContent  bool   `json:"in_content,omitempty"` // inside the main content, not the template
}

// Dropped is a block removed from a page, and why.
type Dropped struct {
	Text string `json:"text"`
	Why  string `json:"why"`
}

// Document is what a page yields.
type Document struct {
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	HTMLTitle   string    `json:"html_title,omitempty"`
	Headings    []string  `json:"headings,omitempty"`
	Breadcrumbs []string  `json:"breadcrumbs,omitempty"`
	Markdown    string    `json:"markdown"`
	Text        string    `json:"text"`
	Links       []Link    `json:"links,omitempty"`
	Itemprops   []string  `json:"itemprops,omitempty"` // microdata names present, lower-case
	Dropped     []Dropped `json:"dropped,omitempty"`
	Print       bool      `json:"print,omitempty"`    // looks like a print or low-vision copy
	Fragment    bool      `json:"fragment,omitempty"` // markup with no <title> and an empty head: a header or menu that pages load with a script
	// MirroredFrom is the page's address on the original site when the
	// copy crawled is a mirror that says so (HTTrack's «Mirrored from
	// school.ru/index.php?page=pitanie» comment): a mirror names query
	// pages by a hash (index4f8a.html), the original address by what they are.
	MirroredFrom string           `json:"mirrored_from,omitempty"`
	Records      []records.Record `json:"records,omitempty"`
}

// Attachments returns the links of the main content that name files.
func (d *Document) Attachments() []Link {
	var out []Link
	for _, l := range d.Links {
		if l.Attachment && l.InContent {
			out = append(out, l)
		}
	}
	return out
}

// attachmentExts are the file types treated as attachments.
// IsAttachmentURL reports whether a URL names a file by its extension:
// the one table of the project's link extractor (links.IsFile).
func IsAttachmentURL(u *url.URL) bool { return links.IsFile(u) }
