package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"perenos/report"
	"perenos/review"
	"perenos/store"
)

// webActs gives the review web UI the completion acts of package report,
// which review may not import: the same acts, rules and scan checks as
// perenos act issue, sign, unsign, void and show.
type webActs struct {
	ws *store.Workspace
	// opt is how acts are issued (site address, folder); the actor is set
	// per call.
	opt report.ActOptions
}

var _ review.ActsBackend = (*webActs)(nil)

// Acts lists a site's acts, oldest first.
func (a *webActs) Acts(org string) ([]review.Act, error) {
	acts, err := report.Acts(a.ws, org)
	if err != nil {
		return nil, err
	}
	loc, err := a.ws.Location()
	if err != nil {
		return nil, err
	}
	out := make([]review.Act, len(acts))
	for i, act := range acts {
		out[i] = webAct(act, i+1)
		out[i].Location = act.Location(loc)
	}
	return out, nil
}

func webAct(a *report.Act, seq int) review.Act {
	out := review.Act{Seq: seq, Number: a.Number, Version: a.Version, Issued: a.Issued, IssuedBy: a.IssuedBy,
		Items: a.Items, ManifestSHA256: a.ManifestSHA256}
	if a.Replaces != "" { // "38-0001 v1"
		num, ver, _ := strings.Cut(a.Replaces, " v")
		out.ReplacesNumber = num
		fmt.Sscanf(ver, "%d", &out.ReplacesVersion)
	}
	if s := a.Signature; s != nil {
		out.Signature = &review.ActSignature{SignedBy: s.SignedBy, Date: s.Date, ScanSHA256: s.ScanSHA256, ScanFormat: s.ScanFormat, Recorded: s.Recorded, RecordedBy: s.RecordedBy}
	}
	for _, v := range a.VoidedSignatures {
		out.VoidedSignatures = append(out.VoidedSignatures, review.VoidedActSignature{
			ActSignature: review.ActSignature{SignedBy: v.SignedBy, Date: v.Date, ScanSHA256: v.ScanSHA256, ScanFormat: v.ScanFormat, Recorded: v.Recorded, RecordedBy: v.RecordedBy},
			VoidedAt:     v.VoidedAt, VoidedBy: v.VoidedBy, Reason: v.Reason})
	}
	if v := a.Void; v != nil {
		out.Void = &review.ActVoid{At: v.At, By: v.By, Reason: v.Reason, Rollback: v.Rollback}
	}
	return out
}

// refusal wraps report's refusals in the review's, which its pages word.
func refusal(err error) error {
	for _, p := range []struct{ from, to error }{
		{report.ErrNotVerified, review.ErrActNotVerified},
		{report.ErrNoAct, review.ErrNoAct},
		{report.ErrAlreadySigned, review.ErrActSigned},
		{report.ErrSigned, review.ErrActSigned},
		{report.ErrVoided, review.ErrActVoided},
		{report.ErrNotSigned, review.ErrActNotSigned},
		{report.ErrBadScan, review.ErrBadScan},
	} {
		if errors.Is(err, p.from) {
			return fmt.Errorf("%w: %w", p.to, err)
		}
	}
	return err
}

func (a *webActs) options(actor string) report.ActOptions {
	opt := a.opt
	opt.Actor = actor
	return opt
}

// Issue issues the act of a verified site, as perenos act issue ORG does.
func (a *webActs) Issue(ctx context.Context, org, actor string) (*review.IssuedAct, error) {
	res, err := report.IssueAct(a.ws, org, a.options(actor))
	if err != nil {
		return nil, refusal(err)
	}
	acts, err := a.Acts(org)
	if err != nil {
		return nil, err
	}
	return &review.IssuedAct{Act: acts[len(acts)-1], Unchanged: res.Unchanged}, nil
}

// Sign records the signed paper act as perenos act sign does: the scan is
// checked by report (format, size, that it opens) from a private temporary
// copy, and the date is read in the act's own zone.
func (a *webActs) Sign(ctx context.Context, org, actor string, in review.ActSigning) (*review.Act, error) {
	tmp, err := os.CreateTemp("", "perenos-scan-*")
	if err != nil {
		return nil, fmt.Errorf("keep the uploaded scan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(in.Scan); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("keep the uploaded scan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("keep the uploaded scan: %w", err)
	}
	opt := a.options(actor)
	opt.Location = nil // the act's own zone
	if _, err := report.SignAct(ctx, a.ws, org, report.SignInput{SignedBy: in.SignedBy, Date: in.Date, Scan: tmp.Name()}, opt); err != nil {
		return nil, refusal(err)
	}
	return a.latest(org)
}

// Unsign voids the current act's signing record, as perenos act unsign does.
func (a *webActs) Unsign(org, actor, reason string) (*review.Act, error) {
	if _, err := report.UnsignAct(a.ws, org, reason, a.options(actor)); err != nil {
		return nil, refusal(err)
	}
	return a.latest(org)
}

// Void voids the site's current unsigned act, as perenos act void does.
func (a *webActs) Void(org, actor, reason string) (*review.Act, error) {
	if _, err := report.VoidAct(a.ws, org, reason, a.options(actor)); err != nil {
		return nil, refusal(err)
	}
	return a.latest(org)
}

func (a *webActs) latest(org string) (*review.Act, error) {
	acts, err := a.Acts(org)
	if err != nil {
		return nil, err
	}
	if len(acts) == 0 {
		return nil, review.ErrNoAct
	}
	return &acts[len(acts)-1], nil
}

// Open opens a file of a site's act where the ledger says it is: the PDF,
// the manifest, or the scan of a signing record.
func (a *webActs) Open(org string, f review.ActFile) (*review.ActDownload, error) {
	acts, err := report.Acts(a.ws, org)
	if err != nil {
		return nil, err
	}
	if f.Act < 1 || f.Act > len(acts) {
		return nil, fmt.Errorf("act %d of %s: %w", f.Act, org, store.ErrNotFound)
	}
	act := acts[f.Act-1]
	var path, ctype string
	switch f.Kind {
	case review.ActPDF:
		path, ctype = act.PDF, "application/pdf"
	case review.ActManifest:
		path, ctype = act.Manifest, "text/plain; charset=utf-8"
	case review.ActScan:
		var s *report.Signature
		switch {
		case f.Signature == 0:
			s = act.Signature
		case f.Signature <= len(act.VoidedSignatures):
			s = &act.VoidedSignatures[f.Signature-1].Signature
		}
		if s == nil {
			return nil, fmt.Errorf("scan %d of act %d of %s: %w", f.Signature, f.Act, org, store.ErrNotFound)
		}
		path, ctype = s.Scan, scanType(s.ScanFormat)
	}
	if path == "" {
		return nil, fmt.Errorf("%s of act %d of %s: %w", f.Kind, f.Act, org, store.ErrNotFound)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(a.ws.Dir, path)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s of act %s v%d: %w", f.Kind, act.Number, act.Version, err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	return &review.ActDownload{Name: filepath.Base(path), ContentType: ctype, ModTime: st.ModTime(), Content: file}, nil
}

func scanType(format string) string {
	switch format {
	case "pdf":
		return "application/pdf"
	case "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	case "tiff":
		return "image/tiff"
	}
	return "application/octet-stream"
}
