package extract

import (
	"fmt"
)

// Site extracts the pages of one site in one streaming pass, each page
// parsed once: a page's records, links and title are read as it comes, its
// blocks are fingerprinted into the site's template, and its main content
// is chosen once the template has learned enough pages.
//
// The template needs many pages before it knows the site's menus and
// footers. Site holds the first Warmup pages (their trees, already
// stripped of scripts and records read) until it has learned them all,
// then extracts them together; every later page is learned and extracted
// at once, with the template of all the pages so far. A site of up to
// Warmup pages is extracted exactly as with a template learned from all
// its pages; on a larger site a page is judged by the pages before it
// and the warm-up, never by pages that come after. Memory is the
// warm-up's trees and the template's counts, whatever the site's size.
//
// A Site is not safe for concurrent use.
type Site struct {
	opt  SiteOptions
	tmpl *Template
	held []heldPage
	warm bool // the warm-up is over
}

// SiteOptions configure a Site.
type SiteOptions struct {
	// Warmup is how many pages are learned before the first is
	// extracted (their trees are held meanwhile); 0 means DefaultWarmup.
	Warmup int
	// NoRecords skips the structured records.
	NoRecords bool
}

// DefaultWarmup is the warm-up of a Site when none is given: enough pages
// for a site's menus and footers to stand out, few enough trees to hold.
const DefaultWarmup = 32

// Page is one page of a site to extract.
type Page struct {
	URL string
	// Text is the page's HTML, decoded (see charset.Decode).
	Text string
	// CrawlDate (YYYY-MM-DD) resolves relative dates in records.
	CrawlDate string
	// Base is the address a redirect answered the page from, if any
	// (Options.Base).
	Base string
}

// Result is one page's outcome: its Document, or why it has none.
type Result struct {
	URL string
	Doc *Document
	Err error
}

type heldPage struct {
	p      *prepared
	blocks *Blocks
}

// NewSite starts a site.
func NewSite(opt SiteOptions) *Site {
	if opt.Warmup <= 0 {
		opt.Warmup = DefaultWarmup
	}
	return &Site{opt: opt, tmpl: NewTemplate()}
}

// Add parses and learns one page. It returns the pages that are ready:
// none while the warm-up lasts, all the warm-up's pages when it ends, and
// after it this page alone. A page that cannot be parsed or extracted is
// a Result with its error; the site goes on.
func (s *Site) Add(pg Page) []Result {
	doc, err := Parse(pg.Text)
	if err != nil {
		return []Result{{URL: pg.URL, Err: err}}
	}
	p, err := prepare(pg.URL, doc, Options{CrawlDate: pg.CrawlDate, NoRecords: s.opt.NoRecords, Base: pg.Base})
	if err != nil {
		return []Result{{URL: pg.URL, Err: err}}
	}
	blocks := PageBlocks(p.body)
	s.tmpl.Add(blocks)
	if s.warm {
		return []Result{finishPage(p, s.tmpl, blocks)}
	}
	s.held = append(s.held, heldPage{p, blocks})
	if len(s.held) < s.opt.Warmup {
		return nil
	}
	return s.release()
}

// Finish extracts the pages still held: those of a site smaller than the
// warm-up. Call it once, after the last Add.
func (s *Site) Finish() []Result { return s.release() }

// Template is the site's template as learned so far.
func (s *Site) Template() *Template { return s.tmpl }

func (s *Site) release() []Result {
	s.warm = true
	out := make([]Result, 0, len(s.held))
	for _, h := range s.held {
		out = append(out, finishPage(h.p, s.tmpl, h.blocks))
	}
	s.held = nil
	return out
}

func finishPage(p *prepared, t *Template, blocks *Blocks) Result {
	d, err := p.finish(t, blocks)
	if err != nil {
		return Result{URL: p.pageURL, Err: fmt.Errorf("extract %s: %w", p.pageURL, err)}
	}
	return Result{URL: p.pageURL, Doc: d}
}
