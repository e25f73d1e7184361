package uploader

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"

	"perenos/portal"
)

// Planned is one write a dry run recorded instead of making.
type Planned struct {
	Action Action      `json:"action"` // create, update or delete
	Kind   portal.Kind `json:"kind"`
	Key    string      `json:"key"`
	Title  string      `json:"title,omitempty"`
	Source string      `json:"source,omitempty"`
	Size   int64       `json:"size,omitempty"` // files
}

// DryRunTarget is DryRun's target: the one place where a dry run differs
// from a real one, as restic's dryrun backend is.
type DryRunTarget struct {
	next    Target
	mu      sync.Mutex
	planned []Planned
}

var (
	_ Target     = (*DryRunTarget)(nil)
	_ Reader     = (*DryRunTarget)(nil)
	_ Lister     = (*DryRunTarget)(nil)
	_ Deleter    = (*DryRunTarget)(nil)
	_ Identifier = (*DryRunTarget)(nil)
)

// DryRun wraps t so that writes are recorded and dropped while reads pass
// through: a write of an object the portal already holds is recorded as
// an update, of one it lacks as a create; a file the site already holds
// is nothing to do; a delete of what is not there fails as it would.
func DryRun(t Target) *DryRunTarget { return &DryRunTarget{next: t} }

// Unwrap is the target the writes would have gone to.
func (d *DryRunTarget) Unwrap() Target { return d.next }

// Properties are the wrapped target's.
func (d *DryRunTarget) Properties() Properties { return d.next.Properties() }

// Recorded returns the writes a real run would have made, in the order
// they were asked for.
func (d *DryRunTarget) Recorded() []Planned {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.planned)
}

func (d *DryRunTarget) record(p Planned) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.planned = append(d.planned, p)
}

// Put records a create or an update, whichever the portal's copy says.
func (d *DryRunTarget) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	action := Create
	if rd, ok := AsReader(d.next); ok {
		_, err := rd.Get(ctx, site, obj.Kind(), key)
		switch {
		case err == nil:
			action = Update
		case !errors.Is(err, ErrNotFound):
			return portal.PutResult{}, err
		}
	}
	title, src := describe(obj)
	d.record(Planned{Action: action, Kind: obj.Kind(), Key: key, Title: title, Source: src})
	return portal.PutResult{Key: key, Created: action == Create}, nil
}

// PutFile records a file the site does not hold yet.
func (d *DryRunTarget) PutFile(ctx context.Context, site string, f File) (portal.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return portal.PutResult{}, err
	}
	if rd, ok := AsReader(d.next); ok {
		rc, err := rd.GetFile(ctx, site, f.SHA256)
		switch {
		case err == nil:
			rc.Close()
			return portal.PutResult{ID: f.SHA256, Key: f.SHA256}, nil
		case !errors.Is(err, ErrNotFound):
			return portal.PutResult{}, err
		}
	}
	d.record(Planned{Action: Create, Kind: portal.KindFile, Key: f.SHA256, Title: f.Name, Size: f.Size})
	return portal.PutResult{ID: f.SHA256, Key: f.SHA256, Created: true}, nil
}

// Delete records a delete of what the portal holds.
func (d *DryRunTarget) Delete(ctx context.Context, site string, kind portal.Kind, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := inner[Deleter](d.next, "delete"); err != nil {
		return err
	}
	if rd, ok := AsReader(d.next); ok {
		var err error
		if kind == portal.KindFile {
			var rc io.ReadCloser
			if rc, err = rd.GetFile(ctx, site, key); err == nil {
				rc.Close()
			}
		} else {
			_, err = rd.Get(ctx, site, kind, key)
		}
		if err != nil {
			return err
		}
	}
	d.record(Planned{Action: Delete, Kind: kind, Key: key})
	return nil
}

// Get passes through.
func (d *DryRunTarget) Get(ctx context.Context, site string, kind portal.Kind, key string) (portal.Object, error) {
	rd, err := inner[Reader](d.next, "read back")
	if err != nil {
		return nil, err
	}
	return rd.Get(ctx, site, kind, key)
}

// GetFile passes through.
func (d *DryRunTarget) GetFile(ctx context.Context, site, sha string) (io.ReadCloser, error) {
	rd, err := inner[Reader](d.next, "read back")
	if err != nil {
		return nil, err
	}
	return rd.GetFile(ctx, site, sha)
}

// List passes through.
func (d *DryRunTarget) List(ctx context.Context, site string, kind portal.Kind) ([]string, error) {
	l, err := inner[Lister](d.next, "list")
	if err != nil {
		return nil, err
	}
	return l.List(ctx, site, kind)
}

// Identity passes through.
func (d *DryRunTarget) Identity(ctx context.Context) (portal.Info, error) {
	id, err := inner[Identifier](d.next, "name its portal")
	if err != nil {
		return portal.Info{}, err
	}
	return id.Identity(ctx)
}

// describe is an object's title and source, for lists a person reads.
func describe(obj portal.Object) (title, source string) {
	switch o := obj.(type) {
	case *portal.Section:
		return o.Title, ""
	case *portal.Page:
		return o.Title, o.SourceURL
	case *portal.Document:
		return o.Title, o.SourceURL
	case *portal.NewsItem:
		return o.Title, o.SourceURL
	case *portal.Record:
		return strings.TrimSpace(o.RecordType + " " + o.Fields["fio"]), o.SourceURL
	}
	return "", ""
}
