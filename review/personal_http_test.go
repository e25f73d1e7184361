package review_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"perenos/store"
)

// TestPersonalDataNeedsADecision: a page listing enrolled children with
// their birth dates is flagged; while it is placed without a decision the
// site cannot be approved; «переносить» with a basis, or «не переносить»,
// is a decision, logged.
func TestPersonalDataNeedsADecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	plan, _ := f.src.Plan(hostileID)
	key := itemKey(t, plan, "/prikaz-zachislenie.html")
	if where, _ := find(plan, key); where == "unplaced" || where == "excluded" {
		t.Fatalf("the fixture's enrolment list is %s, want it placed", where)
	}
	link, _ := f.invite(t, hostileID, time.Hour)
	c := newClient(t)
	if code, _ := c.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	code, page := c.get(f.url + "/site/" + hostileID)
	if code != http.StatusOK || !strings.Contains(page, "Возможно, персональные данные") || !strings.Contains(page, "Списки детей, зачисленных в 1 класс") ||
		!strings.Contains(page, "имена людей с датами рождения") || !strings.Contains(page, "нужно решение") || strings.Contains(page, `id="approve"`) {
		t.Fatalf("site view does not flag the list or still offers approval:\n%.3000s", page)
	}
	tok := csrfRe.FindStringSubmatch(page)[1]
	code, body, _ := c.post(f.url+"/site/"+hostileID+"/approve", url.Values{"csrf": {tok}})
	if code != http.StatusConflict || !strings.Contains(body, "нет решения по 1 материалу") {
		t.Fatalf("approve with an undecided list of children: %d\n%.600s", code, body)
	}
	if o, _ := f.ws.Org(hostileID); o.State == store.Approved {
		t.Fatal("approved without a decision on personal data")
	}
	itemPage := f.url + "/site/" + hostileID + "/item?key=" + url.QueryEscape(key)
	if _, ip := c.get(itemPage); !strings.Contains(ip, `id="pd-keep"`) || !strings.Contains(ip, `id="pd-exclude"`) {
		t.Fatalf("the item page offers no decision:\n%.2000s", ip)
	}
	if code, _, _ := c.post(f.url+"/site/"+hostileID+"/item/keep", url.Values{"csrf": {tok}, "key": {key}, "basis": {"  "}}); code != http.StatusBadRequest {
		t.Errorf("keep without a basis: %d, want 400", code)
	}
	basis := "согласия родителей на публикацию получены, хранятся у секретаря"
	if code, _, hdr := c.post(f.url+"/site/"+hostileID+"/item/keep", url.Values{"csrf": {tok}, "key": {key}, "basis": {basis}}); code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=kept") {
		t.Fatalf("keep: %d %v", code, hdr)
	}
	after, _ := f.src.Plan(hostileID)
	if where, _ := find(after, key); where == "unplaced" || where == "excluded" {
		t.Errorf("kept item moved to %s", where)
	}
	if code, body, _ := c.post(f.url+"/site/"+hostileID+"/approve", url.Values{"csrf": {tok}}); code != http.StatusConflict || !strings.Contains(body, "пробел") {
		t.Fatalf("approve with open gaps, unconfirmed: %d", code)
	}
	if code, _, _ := c.post(f.url+"/site/"+hostileID+"/approve", url.Values{"csrf": {tok}, "with_gaps": {"yes"}}); code != http.StatusSeeOther {
		t.Fatalf("approve after the decision: %d", code)
	}
	evs, _ := f.ws.Events(hostileID)
	var log strings.Builder
	for _, ev := range evs {
		log.WriteString(ev.Reason + "\n")
	}
	if !strings.Contains(log.String(), "похоже на персональные данные; основание: "+basis) {
		t.Errorf("the decision is not logged with its basis:\n%s", log.String())
	}
}
