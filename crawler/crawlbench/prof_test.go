package crawlbench

import (
	"context"
	"testing"
)

func TestProfileUnpoliced(t *testing.T) {
	res, err := Run(context.Background(), Options{Unpoliced: true, Pages: 3000, PerHost: 16, SitesParallel: 32})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
}
