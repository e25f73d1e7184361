// Package uploadertest is the conformance suite every uploader.Target
// runs: the portal API client, the bundle (through the portal's bulk
// endpoint), the in-memory target. One suite, one set of expectations, as
// rclone's fstests does for its backends.
package uploadertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"

	"perenos/portal"
	"perenos/uploader"
)

// Opt describes the target under test.
type Opt struct {
	// New returns a fresh, empty target and the portal site it writes to.
	New func(t *testing.T) (uploader.Target, string)
	// Faulty, when set, returns a target whose portal first answers every
	// request with status (and Retry-After: 1 for 429 and 503) the given
	// number of times. Targets with no network leave it nil, and the
	// retry tests are skipped with a reason.
	Faulty func(t *testing.T, status, times int) (uploader.Target, string)
	// Requests, with Faulty, counts the requests the faulty portal saw.
	Requests func() int
}

// Run runs the suite.
func Run(t *testing.T, opt Opt) {
	t.Run("UpsertTwiceLeavesOne", func(t *testing.T) { upsertTwice(t, opt) })
	t.Run("FileAlreadyStoredIsNoOp", func(t *testing.T) { fileTwice(t, opt) })
	t.Run("HostileContentRoundTrips", func(t *testing.T) { hostileRoundTrip(t, opt) })
	t.Run("CancelledContextWritesNothing", func(t *testing.T) { cancelled(t, opt) })
	t.Run("TransientRetriedPermanentNot", func(t *testing.T) { retries(t, opt) })
}

var ctx = context.Background()

func section(t *testing.T, tgt uploader.Target, site, key string) portal.PutResult {
	t.Helper()
	res, err := tgt.Put(ctx, site, portal.KindSection, key, portal.Section{Title: "Сведения об образовательной организации", Path: "/svedeniya/", Order: 1})
	if err != nil {
		t.Fatalf("put section %s: %v", key, err)
	}
	return res
}

func upsertTwice(t *testing.T, opt Opt) {
	tgt, site := opt.New(t)
	first := section(t, tgt, site, "3801.s.sveden")
	again := section(t, tgt, site, "3801.s.sveden")
	changed, err := tgt.Put(ctx, site, portal.KindSection, "3801.s.sveden", portal.Section{Title: "Сведения (новая редакция)", Path: "/svedeniya/", Order: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Sending the same write again may answer as the first time did (an
	// idempotent retry); a changed object is a replace.
	if !first.Created || changed.Created {
		t.Errorf("created flags %v for the first put and %v for a changed one, want true then false", first.Created, changed.Created)
	}
	if first.ID != again.ID || first.ID != changed.ID {
		t.Errorf("the object's ID changed: %q, %q, %q", first.ID, again.ID, changed.ID)
	}
	keys, err := tgt.List(ctx, site, portal.KindSection)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"3801.s.sveden"}) {
		t.Errorf("after three upserts of one key the site holds %v", keys)
	}
}

func randomFile(t *testing.T, n int) ([]byte, string) {
	data := make([]byte, n)
	rand.Read(data)
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
}

func opener(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

func fileTwice(t *testing.T, opt Opt) {
	tgt, site := opt.New(t)
	data, sha := randomFile(t, 64<<10)
	first, err := tgt.PutFile(ctx, site, sha, int64(len(data)), opener(data))
	if err != nil || !first.Created {
		t.Fatalf("first put: %+v %v", first, err)
	}
	second, err := tgt.PutFile(ctx, site, sha, int64(len(data)), opener(data))
	if err != nil || second.ID != first.ID {
		t.Fatalf("a file already stored must be a no-op: %+v %v", second, err)
	}
	files, err := tgt.List(ctx, site, portal.KindFile)
	if err != nil || !slices.Equal(files, []string{sha}) {
		t.Fatalf("files %v %v", files, err)
	}
	wrong := append(slices.Clone(data), 'x')
	if _, err := tgt.PutFile(ctx, site, hex.EncodeToString(make([]byte, 32)), int64(len(wrong)), opener(wrong)); err == nil {
		t.Error("a file whose bytes do not match its hash was accepted")
	}
}

func hostileRoundTrip(t *testing.T, opt Opt) {
	tgt, site := opt.New(t)
	section(t, tgt, site, "3801.s.sveden")
	big, sha := randomFile(t, 3<<20)
	if _, err := tgt.PutFile(ctx, site, sha, int64(len(big)), opener(big)); err != nil {
		t.Fatal(err)
	}
	objects := []struct {
		kind portal.Kind
		key  string
		obj  any
		into any
	}{
		{portal.KindPage, "3801.p.empty-00000001", portal.Page{Section: "3801.s.sveden", Title: "Пустая страница", Body: ""}, &portal.Page{}},
		{portal.KindPage, "3801.p.sveden-paid-edu-147e153f", portal.Page{Section: "3801.s.sveden", Title: `Платные услуги: «Юный программист» — 1 200 ₽ & "ещё" ? <b>`,
			Body: "| Кружок | Цена |\n|---|---|\n| «Ладья» | 600 ₽ |\n\n<script>alert('ё')</script> ?a=1&b=2 é 中文", SourceURL: "http://sch7.demo/sveden/paid_edu.html?x=1&y='2'", Order: 3}, &portal.Page{}},
		{portal.KindDocument, "3801.d.files-ustav-pdf-2dee61a9", portal.Document{Section: "3801.s.sveden", Title: "Устав МБОУ «СОШ № 7»", DocKind: "устав", Date: "2023-09-01",
			FileSHA256: sha, FileName: "Устав школы (редакция 2023).pdf", Size: int64(len(big))}, &portal.Document{}},
		{portal.KindNews, "3801.n.news-2023-09-01-1", portal.NewsItem{Section: "3801.s.sveden", Title: "День знаний", Date: "2023-09-01", Body: "Линейка в 9:00."}, &portal.NewsItem{}},
		{portal.KindRecord, "3801.r.staff-1", portal.Record{Section: "3801.s.sveden", RecordType: "teachingStaff",
			Fields: map[string]string{"fio": "Иванова Мария Петровна", "post": "учитель", "email": "m.ivanova@sch7.example"}}, &portal.Record{}},
	}
	for _, o := range objects {
		if _, err := tgt.Put(ctx, site, o.kind, o.key, o.obj); err != nil {
			t.Fatalf("put %s %s: %v", o.kind, o.key, err)
		}
	}
	for _, o := range objects {
		raw, err := tgt.Get(ctx, site, o.kind, o.key)
		if err != nil {
			t.Fatalf("get %s %s: %v", o.kind, o.key, err)
		}
		if err := json.Unmarshal(raw, o.into); err != nil {
			t.Fatalf("%s %s came back as %s: %v", o.kind, o.key, raw, err)
		}
		if got := reflect.ValueOf(o.into).Elem().Interface(); !reflect.DeepEqual(got, o.obj) {
			t.Errorf("%s %s changed on the way:\n sent %+v\n  got %+v", o.kind, o.key, o.obj, got)
		}
	}
	rc, err := tgt.GetFile(ctx, site, sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, big) {
		t.Errorf("a %d-byte attachment came back as %d different bytes", len(big), len(got))
	}
}

func cancelled(t *testing.T, opt Opt) {
	tgt, site := opt.New(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tgt.Put(cctx, site, portal.KindSection, "3801.s.x", portal.Section{Title: "x", Path: "/x/"}); err == nil {
		t.Error("a put with a cancelled context succeeded")
	}
	data, sha := randomFile(t, 1024)
	if _, err := tgt.PutFile(cctx, site, sha, int64(len(data)), opener(data)); err == nil {
		t.Error("a file put with a cancelled context succeeded")
	}
	if keys, err := tgt.List(ctx, site, portal.KindSection); err != nil || len(keys) != 0 {
		t.Errorf("a cancelled context wrote %v (%v)", keys, err)
	}
	if keys, err := tgt.List(ctx, site, portal.KindFile); err != nil || len(keys) != 0 {
		t.Errorf("a cancelled context stored files %v (%v)", keys, err)
	}
}

func retries(t *testing.T, opt Opt) {
	if opt.Faulty == nil {
		t.Skip("the target has no network: there is nothing to retry")
	}
	for _, c := range []struct {
		status    int
		retried   bool
		permanent bool
	}{
		{429, true, false}, {503, true, false}, {500, true, false},
		{400, false, true}, {403, false, true}, {422, false, true},
	} {
		tgt, site := opt.Faulty(t, c.status, 2)
		before := opt.Requests()
		_, err := tgt.Put(ctx, site, portal.KindSection, "3801.s.sveden", portal.Section{Title: "Сведения", Path: "/s/"})
		sent := opt.Requests() - before
		switch {
		case c.retried && (err != nil || sent != 3):
			t.Errorf("%d twice, then success: %d requests, %v; want 3 and success", c.status, sent, err)
		case !c.retried && (err == nil || sent != 1):
			t.Errorf("%d: %d requests, %v; want one request and an error", c.status, sent, err)
		case c.permanent && !uploader.IsPermanent(err):
			t.Errorf("%d must be reported as permanent: %v", c.status, err)
		case c.permanent:
			var p *portal.Problem
			if !errors.As(err, &p) || p.Status != c.status {
				t.Errorf("%d: the portal's problem is lost: %v", c.status, err)
			}
		}
	}
}
