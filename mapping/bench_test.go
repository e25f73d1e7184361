package mapping

import (
	"context"
	"testing"
)

// TestGoldSet maps the labelled gold set (seven legacy-style sites of all
// organisation types) and holds the classifier to the targets.
func TestGoldSet(t *testing.T) {
	res, err := Bench(context.Background(), profiles(t), "../testdata/gold/mapping", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages < 60 || res.Sites < 6 {
		t.Fatalf("gold set too small: %d pages in %d sites", res.Pages, res.Sites)
	}
	for _, c := range res.Confusion {
		t.Logf("%d× %s → %s: %v %+v", c.Count, c.Want, c.Got, c.Pages, c.Candidates)
	}
	if res.Accuracy < 0.95 {
		t.Errorf("accuracy %.3f on %d pages, want at least 0.95", res.Accuracy, res.Pages)
	}
	if res.MandatedInOther != 0 {
		t.Errorf("%d pages of mandated sections placed in other without a flag", res.MandatedInOther)
	}
}
