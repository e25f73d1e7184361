package uploader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"perenos/portal"
	"perenos/store"
)

// Difference is an item whose portal copy does not match the plan.
type Difference struct {
	Kind portal.Kind `json:"kind"`
	Key  string      `json:"key"`
	What string      `json:"what"`
}

// Verify reads every op back from the target and compares hashes. The
// target must be able to read back (Reader).
func Verify(ctx context.Context, t Target, org *store.Org, ops []Op) ([]Difference, error) {
	rd, ok := AsReader(t)
	if !ok {
		return nil, &PermanentError{fmt.Errorf("verify: %w: the target cannot read back", ErrUnsupported)}
	}
	var diffs []Difference
	for _, o := range ops {
		if err := ctx.Err(); err != nil {
			return diffs, err
		}
		got, err := readHash(ctx, rd, org.PortalSite, o)
		switch {
		case errors.Is(err, ErrNotFound):
			diffs = append(diffs, Difference{o.Kind, o.Key, "missing on the portal"})
		case err != nil:
			return diffs, fmt.Errorf("verify %s %s: %w", o.Kind, o.Key, err)
		case got != o.Hash:
			diffs = append(diffs, Difference{o.Kind, o.Key, "content differs from the plan"})
		}
	}
	return diffs, nil
}

func readHash(ctx context.Context, rd Reader, site string, o Op) (string, error) {
	if o.Kind == portal.KindFile {
		rc, err := rd.GetFile(ctx, site, o.Key)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	obj, err := rd.Get(ctx, site, o.Kind, o.Key)
	if err != nil {
		return "", err
	}
	return portal.ContentHash(obj)
}
