package store

import (
	"io"
	"os"
	"time"
)

// Ledger is the whole ledger as the pipeline's runner and its stages use
// it: the promise a second backend must keep. *Workspace keeps it in one
// process, on a bbolt file and a blob folder; a backend shared by many
// perenos workers (scale-out on NATS JetStream: a key-value bucket per
// record kind, a work-queue stream of site jobs, leases that expire) keeps
// the same promises: Update is atomic, Lease is exclusive across every
// worker, FinishPage is durable before it returns.
//
// Stages ask for the narrow interfaces they use (crawler.SiteLedger,
// uploader.SiteLedger, a Reader); Ledger is their union, so that the
// runner holds one value any backend can be.
type Ledger interface {
	Reader
	Update(fn func(Tx) error) error
	View(fn func(Reader) error) error
	Orgs() ([]*Org, error)
	Events(org string) ([]Event, error)
	Lease(org, holder string) (release func(), err error)
	Fail(id string, st Stage, actor string, cause error) error
	Now() time.Time

	// The crawl's frontier, fetched pages and previous crawl.
	Enqueue(org string, items []Pending) ([]Pending, error)
	Frontier(org string) ([]Pending, error)
	RequeueFrontier(org string, p Pending) error
	FinishPage(org string, f Finish) ([]Pending, int, error)
	CrawlGuards(org string) (map[string]int64, error)
	PrevPage(org, url string) (*Page, error)
	PrevPages(org string, fn func(*Page) error) error
	StartRecrawl(org string) error
	ResetCrawl(org string) error

	// The upload ID map, per portal.
	IDMap(org string, p PortalID) (map[string]IDEntry, error)
	PutIDEntries(org string, p PortalID, es ...IDEntry) error
	DeleteIDEntry(org string, p PortalID, kind, key string) error
	AdoptIDMap(org string, from, to PortalID, also func(Tx) error) (int, error)

	// BlobStore is where raw bytes are kept, by SHA-256.
	BlobStore() BlobStore
}

// BlobStore keeps raw bytes by their SHA-256: what the crawl fetched, what
// review uploaded, what the upload sends. Path is the local file of a
// blob, for programs that read files (pdftotext, catdoc); a remote backend
// gives a local cached copy.
type BlobStore interface {
	Put(r io.Reader, limit int64) (BlobID, int64, error)
	PutBytes(data []byte) (BlobID, error)
	Read(id BlobID) ([]byte, error)
	Open(id BlobID) (*os.File, error)
	Path(id BlobID) string
	Has(id BlobID) bool
	Flush() error
}

var (
	_ Ledger    = (*Workspace)(nil)
	_ BlobStore = (*Blobs)(nil)
)

// BlobStore returns the workspace's blob folder.
func (w *Workspace) BlobStore() BlobStore { return w.Blobs }
