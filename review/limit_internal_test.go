package review

import (
	"testing"
	"time"
)

func TestBucketsForgetOnlyFullOnes(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := &guard{now: func() time.Time { return now }}
	b := newBuckets(rule{2, time.Minute}, 3) // 2 a minute: one back every 30 s
	for _, k := range []string{"a", "b", "c"} {
		if w := g.take(check{b, k}); w != 0 {
			t.Fatalf("first attempt of %s waits %s", k, w)
		}
	}
	// Every bucket holds a debt: a new key finds no room and waits for one.
	if w := g.take(check{b, "d"}); w != 30*time.Second {
		t.Fatalf("a new key with no room: wait %s, want 30s", w)
	}
	g.take(check{b, "a"}) // a is empty now
	if w := g.take(check{b, "a"}); w != 30*time.Second {
		t.Fatalf("empty bucket: wait %s, want 30s", w)
	}
	// After 30 s b and c are full again and may go; a is not.
	now = now.Add(30 * time.Second)
	for _, k := range []string{"d", "e"} {
		if w := g.take(check{b, k}); w != 0 {
			t.Fatalf("%s after buckets refilled: wait %s", k, w)
		}
	}
	if b.idx["a"] == nil || b.idx["b"] != nil || b.idx["c"] != nil || b.ll.Len() != 3 {
		t.Fatalf("kept %v, want a (in debt), d and e", b.idx)
	}
	// A refused attempt spends nothing from the other buckets and makes none.
	other := newBuckets(rule{5, time.Minute}, 10)
	g.take(check{b, "a"})
	if w := g.take(check{other, "x"}, check{b, "a"}); w == 0 || other.ll.Len() != 0 {
		t.Fatalf("refused attempt: wait %s, %d buckets made", w, other.ll.Len())
	}
}

func TestAddrKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	} {
		if got := addrKey(tc.in); got != tc.want {
			t.Errorf("addrKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
