package extract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"perenos/attachtext"
	"perenos/charset"
	"perenos/store"
)

// The extract stage's records in the ledger.
var (
	// Docs holds the document extracted from each page, keyed by page URL.
	Docs = store.Record[Document]{Kind: "docs"}
	// AttachTexts holds what was read from each attachment, keyed by URL.
	AttachTexts = store.Record[AttachText]{Kind: "attachtext"}
)

// AttachText is what an attachment's text told: its first words (for the
// document kind) and whether it is a scan or could not be read.
type AttachText struct {
	Text  string `json:"text,omitempty"` // the beginning of the text
	Scan  bool   `json:"scan,omitempty"` // a PDF with no text layer
	Error string `json:"error,omitempty"`
}

// attachTextLimit is how much of an attachment's text the ledger keeps:
// enough for the document kind and a preview, not the whole document.
const attachTextLimit = 16 << 10

// SiteLedger is what the extract stage reads: the site's fetched URLs.
type SiteLedger interface {
	Pages(org string, fn func(*store.Page) error) error
}

// SiteBlobs is where the extract stage reads raw bytes.
type SiteBlobs interface {
	Read(id store.BlobID) ([]byte, error)
	Path(id store.BlobID) string
}

// SiteSummary is what the extract stage did for one site, in numbers.
type SiteSummary struct {
	Documents     int `json:"documents"`
	Pages         int `json:"pages"`
	Failed        int `json:"failed"`
	TemplatePages int `json:"template_pages"`
	Attachments   int `json:"attachments_read"`
	Scans         int `json:"scans"`
	Unreadable    int `json:"unreadable"`
}

// ExtractSite runs the extract stage for one site: the site's template is
// learned from all its pages, each page becomes a Document, and each
// attachment's text is read. It returns the summary and the commit that
// replaces the site's documents and attachment texts; the caller runs it
// in the transaction that moves the site's state. A page that cannot be
// extracted, or a file that cannot be read, is recorded and logged and
// never stops the site.
func ExtractSite(ctx context.Context, led SiteLedger, blobs SiteBlobs, org *store.Org, log *slog.Logger) (*SiteSummary, func(store.Tx) error, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var pages, atts []*store.Page
	if err := led.Pages(org.ID, func(p *store.Page) error {
		if !p.OK() || p.Blob.IsZero() {
			return nil
		}
		switch p.Kind {
		case store.KindPage:
			pages = append(pages, p)
		case store.KindAttachment:
			atts = append(atts, p)
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// One pass, each page read and parsed once: the streaming extractor
	// learns the site's template as pages come and holds only its
	// warm-up's trees, whatever the site's size. Each document is kept
	// until the commit as the ledger will store it (compressed JSON, a
	// sixth of the document's JSON), not as the decoded value: a site of
	// 20,000 pages held 1.6 GB of documents.
	sum := &SiteSummary{Pages: len(pages)}
	docs := map[string]store.Encoded[Document]{}
	keep := func(rs []Result) {
		for _, r := range rs {
			if r.Err == nil {
				enc, err := Docs.Encode(r.Doc)
				if err == nil {
					docs[r.URL] = enc
					continue
				}
				r.Err = err
			}
			sum.Failed++
			log.Warn("extraction failed", "site", org.ID, "url", r.URL, "err", r.Err)
		}
	}
	site := NewSite(SiteOptions{})
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		raw, err := blobs.Read(p.Blob)
		if err != nil {
			return nil, nil, err
		}
		keep(site.Add(Page{URL: p.URL, Text: charset.Decode(raw, p.ContentType).Text, CrawlDate: p.FetchedAt.Format("2006-01-02"), Base: p.FinalURL}))
	}
	keep(site.Finish())
	sum.Documents, sum.TemplatePages = len(docs), site.Template().Pages()
	texts := map[string]store.Encoded[AttachText]{}
	for _, p := range atts {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		path := blobs.Path(p.Blob)
		res, rerr := attachtext.File(ctx, path, attachtext.Options{Timeout: 30 * time.Second, MaxText: attachTextLimit})
		var at AttachText
		switch {
		case errors.Is(rerr, attachtext.ErrUnsupported):
			continue // images, archives: nothing to read
		case rerr != nil:
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			sum.Unreadable++
			at.Error = strings.ReplaceAll(rerr.Error(), path, p.URL)
			log.Warn("attachment not read", "site", org.ID, "url", p.URL, "err", rerr)
		default:
			sum.Attachments++
			at.Text, at.Scan = res.Text, res.Scan
			if res.Scan {
				sum.Scans++
			}
		}
		enc, err := AttachTexts.Encode(&at)
		if err != nil {
			return nil, nil, fmt.Errorf("text of %s: %w", p.URL, err)
		}
		texts[p.URL] = enc
	}
	commit := func(tx store.Tx) error {
		if err := Docs.ReplaceEncoded(tx, org.ID, docs); err != nil {
			return err
		}
		return AttachTexts.ReplaceEncoded(tx, org.ID, texts)
	}
	return sum, commit, nil
}
