package store

import (
	"sync"
	"testing"
)

func TestNextSeqPerName(t *testing.T) {
	ws := TestStore(t)
	if n, err := ws.Seq("act/38"); err != nil || n != 0 {
		t.Fatalf("fresh counter: %d %v", n, err)
	}
	for want := uint64(1); want <= 3; want++ {
		n, err := ws.NextSeq("act/38")
		if err != nil || n != want {
			t.Fatalf("act/38: got %d %v, want %d", n, err, want)
		}
	}
	if n, err := ws.NextSeq("act/95"); err != nil || n != 1 {
		t.Fatalf("act/95 is its own counter: %d %v", n, err)
	}
	if n, _ := ws.Seq("act/38"); n != 3 {
		t.Fatalf("Seq = %d, want 3", n)
	}
}

func TestNextSeqConcurrentUnique(t *testing.T) {
	ws := TestStore(t)
	const workers, each = 8, 25
	seen := make(chan uint64, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := ws.NextSeq("c")
				if err != nil {
					t.Error(err)
					return
				}
				seen <- n
			}
		})
	}
	wg.Wait()
	close(seen)
	got := map[uint64]bool{}
	for n := range seen {
		if got[n] {
			t.Fatalf("value %d handed out twice", n)
		}
		got[n] = true
	}
	if len(got) != workers*each {
		t.Fatalf("%d values, want %d", len(got), workers*each)
	}
}
