package report

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"perenos/store"
)

// SignInput is the signed paper act being recorded.
type SignInput struct {
	SignedBy string // who signed for the organisation
	// Date is the date written on the paper, YYYY-MM-DD or DD.MM.YYYY. It is
	// a day in the act's own time zone (the one its dates are printed in).
	Date string
	Scan string // path of the scanned signed act: PDF, JPEG, PNG or TIFF
}

// MinReason is the fewest characters a reason for voiding an act or a
// signing record may have: it is what a later reader of the log has.
const MinReason = 10

// SignAct records the signature of a site's current act: who signed, the
// date on the paper and the SHA-256 of its scan (a copy of which is kept
// beside the act), and moves the site to act_signed. The scan must be a
// PDF, JPEG, PNG or TIFF that opens; the date is read in the act's time
// zone unless opt.Location says otherwise. Signing an act that is already
// signed fails with ErrAlreadySigned: a wrong signing record is voided
// first (UnsignAct), then the act is signed again.
func SignAct(ctx context.Context, ws *store.Workspace, org string, in SignInput, opt ActOptions) (*Act, error) {
	if opt.Dir == "" {
		opt.Dir = filepath.Join(ws.Dir, ActsFolder)
	}
	if opt.Actor == "" {
		opt.Actor = "operator"
	}
	o, err := ws.Org(org)
	if err != nil {
		return nil, err
	}
	act, err := LatestAct(ws, org)
	if err != nil {
		return nil, err
	}
	if err := signable(o, act); err != nil {
		return nil, err
	}
	if err := store.CanRun(store.StageSign, o.State, o.FailedAt, o.HasLegacy()); err != nil {
		return nil, fmt.Errorf("organisation %s: %w", org, err)
	}
	signedBy := strings.TrimSpace(in.SignedBy)
	if signedBy == "" {
		return nil, errors.New("who signed the act is required")
	}
	loc := opt.Location
	if loc == nil {
		wsLoc, err := ws.Location()
		if err != nil {
			return nil, err
		}
		loc = act.Location(wsLoc)
	}
	day, err := parseDay(in.Date, loc)
	if err != nil {
		return nil, fmt.Errorf("the signing date: %w", err)
	}
	date := day.Format("2006-01-02")
	dayOf := func(t time.Time) string { return t.In(loc).Format("2006-01-02") }
	if date < dayOf(act.Issued) {
		return nil, fmt.Errorf("the signing date %s is before the act was issued (%s, %s)", date, dayOf(act.Issued), loc)
	}
	if date > dayOf(ws.Now()) {
		return nil, fmt.Errorf("the signing date %s is in the future (today is %s in %s)", date, dayOf(ws.Now()), loc)
	}
	scan, err := ReadScan(ctx, in.Scan)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s-v%d-signed", act.Number, safeName(org), act.Version)
	if n := len(act.VoidedSignatures); n > 0 {
		name += fmt.Sprintf("-%d", n+1) // the voided records keep their scans
	}
	scanPath := filepath.Join(opt.Dir, name+scan.Ext())
	if err := writeFile(scanPath, scan.data); err != nil {
		return nil, err
	}
	sig := &Signature{SignedBy: signedBy, Date: date, ScanSHA256: scan.SHA256, ScanFormat: scan.Format, Scan: rel(ws, scanPath),
		Recorded: ws.Now(), RecordedBy: opt.Actor}
	reason := fmt.Sprintf("act %s v%d signed by %s on %s; scan (%s, %d bytes) sha256 %s", act.Number, act.Version, signedBy, date, scan.Format, scan.Size, scan.SHA256)
	var out *Act
	err = ws.Update(func(tx store.Tx) error {
		cur, err := currentAct(tx, org, act)
		if err != nil {
			return err
		}
		o, err := tx.Org(org)
		if err != nil {
			return err
		}
		if err := signable(o, cur); err != nil {
			return err
		}
		cur.Signature = sig
		if err := ActRecords.Put(tx, org, cur.key, cur); err != nil {
			return err
		}
		out = cur
		return tx.Advance(org, store.StageSign, opt.Actor, reason)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// signable says why act cannot be signed now, if it cannot.
func signable(o *store.Org, act *Act) error {
	switch {
	case act == nil:
		return fmt.Errorf("organisation %s: %w (perenos act issue %s)", o.ID, ErrNoAct, o.ID)
	case act.Void != nil:
		return fmt.Errorf("organisation %s: %w: %s was voided on %s (%s); a new act is issued once the site is verified again",
			o.ID, ErrVoided, act.Ref(), shortDate(act.Void.At.In(act.Location(time.Local))), act.Void.Reason)
	case act.Signature != nil || o.State == store.ActSigned:
		s := act.Signature
		if s == nil {
			s = &Signature{}
		}
		return fmt.Errorf("organisation %s: %w: %s was signed by %s on %s (scan sha256 %s); a signed act is not signed again. If this signing record is wrong, void it first (perenos act unsign %s --reason ...), then sign again",
			o.ID, ErrAlreadySigned, act.Ref(), s.SignedBy, s.Date, s.ScanSHA256, o.ID)
	}
	return nil
}

// currentAct reloads the site's latest act inside a transaction and makes
// sure it is the one the caller checked (no act was issued in between).
func currentAct(tx store.Reader, org string, checked *Act) (*Act, error) {
	cur, err := LatestAct(tx, org)
	if err != nil {
		return nil, err
	}
	if cur == nil || cur.key != checked.key {
		return nil, fmt.Errorf("organisation %s: the act changed while it was being recorded; run the command again", org)
	}
	return cur, nil
}

// UnsignAct voids the signing record of a site's current act, because it
// was recorded wrongly (the wrong scan, signer or date): the record is
// kept among the act's voided signatures with who voided it and why, the
// event log says so, and the site moves back to act_issued, ready to be
// signed again. The act itself stands: this is not voiding the act.
func UnsignAct(ws *store.Workspace, org, reason string, opt ActOptions) (*Act, error) {
	return changeAct(ws, org, reason, &opt, func(tx store.Tx, o *store.Org, act *Act, reason string) error {
		if act.Signature == nil {
			return fmt.Errorf("organisation %s: %w: %s has no signing record to void", org, ErrNotSigned, act.Ref())
		}
		s := act.Signature
		act.VoidedSignatures = append(act.VoidedSignatures, VoidedSignature{Signature: *s, VoidedAt: tx.Now(), VoidedBy: opt.Actor, Reason: reason})
		act.Signature = nil
		if err := ActRecords.Put(tx, org, act.key, act); err != nil {
			return err
		}
		what := fmt.Sprintf("the signing record of act %s v%d (signed by %s on %s, scan sha256 %s) voided: %s", act.Number, act.Version, s.SignedBy, s.Date, s.ScanSHA256, reason)
		if err := tx.Log(store.Event{Actor: opt.Actor, Org: org, Kind: EventAct, From: "signed", To: SignatureVoided, Reason: what}); err != nil {
			return err
		}
		if o.State == store.ActSigned {
			return tx.Advance(org, store.StageAct, opt.Actor, what)
		}
		return nil
	})
}

// changeAct runs an operator's change of a site's current act (void, unsign)
// in one transaction: the reason checked, the act loaded, fn given both.
// It returns the act as fn left it.
func changeAct(ws *store.Workspace, org, reason string, opt *ActOptions, fn func(tx store.Tx, o *store.Org, act *Act, reason string) error) (*Act, error) {
	if opt.Actor == "" {
		opt.Actor = "operator"
	}
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	var out *Act
	err = ws.Update(func(tx store.Tx) error {
		o, err := tx.Org(org)
		if err != nil {
			return err
		}
		act, err := LatestAct(tx, org)
		if err != nil {
			return err
		}
		if act == nil {
			return fmt.Errorf("organisation %s: %w", org, ErrNoAct)
		}
		if err := fn(tx, o, act, reason); err != nil {
			return err
		}
		out = act
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VoidAct voids a site's current act at an operator's word: the act keeps
// its number, which no other act gets, and stays on file marked voided; a
// site at act_issued moves back to verified, from where a new act (with a
// new number) can be issued. A signed act is not voided here: voiding a
// signed act is a paper both sides sign; a signing record recorded by
// mistake is voided with UnsignAct.
func VoidAct(ws *store.Workspace, org, reason string, opt ActOptions) (*Act, error) {
	return changeAct(ws, org, reason, &opt, func(tx store.Tx, o *store.Org, act *Act, reason string) error {
		switch {
		case act.Void != nil:
			return fmt.Errorf("organisation %s: %w already: %s on %s (%s)", org, ErrVoided, act.Ref(), shortDate(act.Void.At.In(act.Location(time.Local))), act.Void.Reason)
		case act.Signature != nil:
			return fmt.Errorf("organisation %s: %w: %s was signed by %s on %s; a signed act is voided on paper by both sides. If its signing record is wrong, void the record (perenos act unsign %s --reason ...)",
				org, ErrSigned, act.Ref(), act.Signature.SignedBy, act.Signature.Date, org)
		}
		if err := voidIn(tx, o, act, reason, false, opt.Actor); err != nil {
			return err
		}
		if o.State == store.ActIssued {
			return tx.Advance(org, store.StageVerify, opt.Actor, fmt.Sprintf("act %s v%d voided: %s", act.Number, act.Version, reason))
		}
		return nil
	})
}

// RecordRollback records that a rollback removed the site's content from
// the portal, and voids its act if one stands unsigned (a rollback of a
// signed act is refused before it starts): from then on the coordinator
// report counts the site neither as migrated nor as having an act. detail
// says what the rollback did. It returns the act it voided, or nil.
// Recording the same rollback again voids nothing twice.
func RecordRollback(ws *store.Workspace, org, detail, actor string) (*Act, error) {
	if actor == "" {
		actor = "operator"
	}
	var voided *Act
	err := ws.Update(func(tx store.Tx) error {
		o, err := tx.Org(org)
		if err != nil {
			return err
		}
		if err := tx.Log(store.Event{Actor: actor, Org: org, Kind: EventRollback, Reason: detail}); err != nil {
			return err
		}
		act, err := LatestAct(tx, org)
		if err != nil || act == nil || act.Void != nil || act.Signature != nil {
			return err
		}
		voided = act
		return voidIn(tx, o, act, "rollback: "+detail, true, actor)
	})
	if err != nil {
		return nil, fmt.Errorf("record the rollback of %s: %w", org, err)
	}
	return voided, nil
}

func voidIn(tx store.Tx, o *store.Org, act *Act, reason string, rollback bool, actor string) error {
	from := act.Status()
	act.Void = &Void{At: tx.Now(), By: actor, Reason: reason, Rollback: rollback}
	if err := ActRecords.Put(tx, o.ID, act.key, act); err != nil {
		return err
	}
	return tx.Log(store.Event{Actor: actor, Org: o.ID, Kind: EventAct, From: from, To: ActVoided,
		Reason: fmt.Sprintf("act %s v%d voided; its number is not given to another act: %s", act.Number, act.Version, reason)})
}

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < MinReason {
		return "", fmt.Errorf("a reason of at least %d characters is required (--reason): it is written to the event log", MinReason)
	}
	return reason, nil
}
