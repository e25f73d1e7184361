// Package uploader turns an approved migration plan into calls to the
// portal's import API, idempotently, records the portal's answers in the
// ledger's ID map (one per portal), and verifies the result by reading it
// back.
//
// Everything goes through a Target: the portal API client, a bundle, an
// in-memory target for tests. A Target only writes; reading back, listing,
// deleting and naming the portal are capabilities a target may declare
// (Reader, Lister, Deleter, Identifier). Retrying, rate limiting and dry
// runs are wrappers around any target (WithRetry, WithRateLimit, DryRun),
// as restic's retry and dryrun backends are.
package uploader

import (
	"context"
	"errors"
	"io"

	"perenos/portal"
)

// Target is where a plan goes. Every write is an idempotent upsert by
// key, typed by its collection (the object's Kind); files are addressed by
// their SHA-256.
type Target interface {
	// Put upserts a section, page, document, news item or record.
	Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error)
	// PutFile stores a file under its SHA-256; a file the site already
	// holds is a no-op.
	PutFile(ctx context.Context, site string, f File) (portal.PutResult, error)
	// Properties say how the target is best used.
	Properties() Properties
}

// Properties describe a target, like restic's backend.Properties.
type Properties struct {
	// Connections is how many writes the target serves well at once; an
	// upload uses it when its options do not say (0: any number).
	Connections int
}

// File is a file to upload, read afresh for every try.
type File struct {
	SHA256 string
	Size   int64
	Name   string
	Open   func() (io.ReadCloser, error)
}

// Reader reads back what a target holds.
type Reader interface {
	Get(ctx context.Context, site string, kind portal.Kind, key string) (portal.Object, error)
	GetFile(ctx context.Context, site, sha string) (io.ReadCloser, error)
}

// Lister lists the keys of a site's collection (for files, their SHA-256).
type Lister interface {
	List(ctx context.Context, site string, kind portal.Kind) ([]string, error)
}

// Deleter removes an object, or for kind files a file (key is its SHA-256).
type Deleter interface {
	Delete(ctx context.Context, site string, kind portal.Kind, key string) error
}

// Identifier names the portal behind a target, so that the ID map is kept
// per portal.
type Identifier interface {
	Identity(ctx context.Context) (portal.Info, error)
}

// Errors a target returns.
var (
	// ErrNotFound is an object or file the target does not hold.
	ErrNotFound = errors.New("object not found on the target")
	// ErrUnsupported is a capability the target does not have.
	ErrUnsupported = errors.New("the target cannot do this")
)

// unwrapper is a wrapper: a target that adds behaviour to another.
type unwrapper interface {
	Unwrap() Target
}

// capability returns t as a C when t implements C and, if t wraps another
// target, so does what it wraps: a wrapper has a capability only when the
// target beneath it has it too.
func capability[C any](t Target) (C, bool) {
	var zero C
	c, ok := t.(C)
	if !ok {
		return zero, false
	}
	if w, ok := t.(unwrapper); ok {
		if _, ok := capability[C](w.Unwrap()); !ok {
			return zero, false
		}
	}
	return c, true
}

// AsReader returns t's Reader, if it can read back.
func AsReader(t Target) (Reader, bool) { return capability[Reader](t) }

// AsLister returns t's Lister, if it can list.
func AsLister(t Target) (Lister, bool) { return capability[Lister](t) }

// AsDeleter returns t's Deleter, if it can delete.
func AsDeleter(t Target) (Deleter, bool) { return capability[Deleter](t) }

// AsIdentifier returns t's Identifier, if it can name its portal.
func AsIdentifier(t Target) (Identifier, bool) { return capability[Identifier](t) }

// inner is the capability C of the target a wrapper wraps, or an error
// saying it has none.
func inner[C any](t Target, what string) (C, error) {
	c, ok := capability[C](t)
	if !ok {
		return c, &PermanentError{Err: errors.Join(ErrUnsupported, errors.New("the target cannot "+what))}
	}
	return c, nil
}
