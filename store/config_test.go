package store

import (
	"strings"
	"testing"
	"time"
)

func TestTimeZoneSetting(t *testing.T) {
	ws := TestStore(t)
	if c, err := ws.Config(); err != nil || c.TimeZone != "" {
		t.Fatalf("a new workspace has settings %+v (%v)", c, err)
	}
	if loc, err := ws.Location(); err != nil || loc != time.Local {
		t.Fatalf("without a zone the workspace's location is %v (%v), want time.Local", loc, err)
	}
	for _, bad := range []string{"", "Local", "Asia/Nowhere", "+08:00"} {
		if _, err := ws.SetTimeZone(bad, "operator", "test"); err == nil || !strings.Contains(err.Error(), "Asia/Irkutsk") {
			t.Errorf("zone %q: %v, want a refusal naming an example", bad, err)
		}
	}
	c, err := ws.SetTimeZone("Asia/Irkutsk", "roadmap irkutsk-460rp", "оператор")
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Asia/Irkutsk" || c.TimeZoneSource != "roadmap irkutsk-460rp" || c.UpdatedBy != "оператор" || c.Updated.IsZero() {
		t.Fatalf("settings %+v", c)
	}
	loc, err := ws.Location()
	if err != nil || loc.String() != "Asia/Irkutsk" {
		t.Fatalf("location %v (%v)", loc, err)
	}
	// It is kept in the ledger.
	dir := ws.Dir
	ws.Close()
	again, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if c, _ := again.Config(); c.TimeZone != "Asia/Irkutsk" {
		t.Fatalf("after reopening: %+v", c)
	}
}
