// Package uploader turns an approved migration plan into calls to the
// portal's import API, idempotently, records the portal's answers in the
// ledger's ID map, and verifies the result by reading it back.
package uploader

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"perenos/portal"
)

// ErrNotFound is returned by a Target for an object it does not hold.
var ErrNotFound = errors.New("object not found on the target")

// Target is where a plan goes: the portal API, a bundle, a dry run, memory.
// Every write is an idempotent upsert by key; files are addressed by SHA-256.
type Target interface {
	// Put upserts a JSON object (a portal.Section, Page, Document, NewsItem or Record).
	Put(ctx context.Context, site string, kind portal.Kind, key string, obj any) (portal.PutResult, error)
	// PutFile stores a file under its SHA-256; a file already stored is a no-op.
	PutFile(ctx context.Context, site, sha256 string, size int64, body func() (io.ReadCloser, error)) (portal.PutResult, error)
	// Get reads an object back as the portal stores it.
	Get(ctx context.Context, site string, kind portal.Kind, key string) (json.RawMessage, error)
	// GetFile reads a file back.
	GetFile(ctx context.Context, site, sha256 string) (io.ReadCloser, error)
	// Delete removes an object or file (kind files: key is the SHA-256).
	Delete(ctx context.Context, site string, kind portal.Kind, key string) error
	// List returns the keys of a site's collection.
	List(ctx context.Context, site string, kind portal.Kind) ([]string, error)
}
