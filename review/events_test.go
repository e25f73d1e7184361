package review

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"perenos/store"
)

func TestEventReasonKeepsOnlyRussianParts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"7 placed, 1 for review, 1 excluded, 21 gaps", ""},
		{"одобрено при проверке", "одобрено при проверке"},
		// approve joins the admin's note and the stage's English summary
		{"одобрено при проверке; approved with 5 mandated gaps open, confirmed", "одобрено при проверке"},
		{"act 38-0001 v1 voided: ошибка в дате", ""},
		{"проверка: «About us» перемещено в раздел «Прочее»", "проверка: «About us» перемещено в раздел «Прочее»"},
		{"«Кружки» исключено: дубль", "«Кружки» исключено: дубль"},
		{"", ""},
	} {
		if got := EventReason(tc.in); got != tc.want {
			t.Errorf("EventReason(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// hasLatinWord reports whether s has a word of Latin letters.
func hasLatinWord(s string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if r := []rune(f)[0]; r < 0x80 {
			return true
		}
	}
	return false
}

func TestEventTextIsRussian(t *testing.T) {
	for _, tc := range []struct {
		ev   store.Event
		want string
	}{
		{store.Event{Kind: store.EventState, From: "verified", To: "act_issued", Reason: "act 38-0001 v1 issued: 62 items"}, "проверено на портале → акт выдан"},
		{store.Event{Kind: store.EventState, From: "in_review", To: "approved", Reason: "одобрено при проверке; approved with 3 mandated gaps open, confirmed"}, "на проверке → одобрено: одобрено при проверке"},
		{store.Event{Kind: store.EventState, From: "crawled", To: "failed", Reason: "extract failed: boom"}, "сайт скачан → ошибка"},
		{store.Event{Kind: store.EventImport, To: "registered", Reason: "registry import"}, "добавлено из реестра"},
		{store.Event{Kind: EventAct, From: "issued", To: ActVoidedTo, Reason: "act 38-0001 v1 voided; its number is not given to another act: неверные даты"}, "акт аннулирован"},
		{store.Event{Kind: EventAct, From: "signed", To: SignatureVoidedTo, Reason: "the signing record of act 38-0001 v1 voided: не тот скан"}, "запись о подписании акта аннулирована"},
		{store.Event{Kind: EventRollback, Reason: "rollback: 12 deleted"}, "откат"},
		{store.Event{Kind: EventDomain, From: "unbound", To: DomainBoundTo, Reason: "CNAME to sh7.gosweb.gosuslugi.ru"}, "старый домен ведёт на портал"},
		{store.Event{Kind: EventDomain, To: "unbound", Reason: "A 1.2.3.4"}, "старый домен пока не ведёт на портал"},
		{store.Event{Kind: store.EventEdit, Org: store.UsersLog, Reason: "operator account disabled, sessions ended: 1: анна"}, "изменена учётная запись оператора"},
		{store.Event{Kind: store.EventEdit, Reason: "приглашение 42 отозвано, его сеансы завершены"}, "приглашение 42 отозвано"},
		{store.Event{Kind: store.EventEdit, From: "http://old/", To: "http://new/", Reason: "legacy address changed"}, "изменение"},
		{store.Event{Kind: "something-new"}, "изменение"},
	} {
		got := EventText(tc.ev)
		if !strings.Contains(got, tc.want) {
			t.Errorf("EventText(%+v) = %q, want it to say %q", tc.ev, got, tc.want)
		}
		if hasLatinWord(got) {
			t.Errorf("EventText(%+v) = %q mixes in a Latin word", tc.ev, got)
		}
		if name := EventKindName(tc.ev.Kind); hasLatinWord(name) || name == "" {
			t.Errorf("kind %q is named %q", tc.ev.Kind, name)
		}
	}
	for _, k := range EventKinds {
		if eventKindNames[k] == "" {
			t.Errorf("event kind %q has no Russian name", k)
		}
	}
}

func TestPager(t *testing.T) {
	link := func(n int) string { return "p" + string(rune('0'+n)) }
	for _, tc := range []struct {
		total, page                  int
		wantPage, pages, first, last int
		prev, next                   string
	}{
		{0, 1, 1, 1, 0, 0, "", ""},
		{1, 1, 1, 1, 1, 1, "", ""},
		{50, 1, 1, 1, 1, 50, "", ""},
		{51, 1, 1, 2, 1, 50, "", "p2"},
		{120, 2, 2, 3, 51, 100, "p1", "p3"},
		{120, 3, 3, 3, 101, 120, "p2", ""},
		{120, 9, 3, 3, 101, 120, "p2", ""}, // past the last: the last
		{120, 0, 1, 3, 1, 50, "", "p2"},
	} {
		p := newPager(tc.total, tc.page, link)
		if p.Page != tc.wantPage || p.Pages != tc.pages || p.First != tc.first || p.Last != tc.last || p.Prev != tc.prev || p.Next != tc.next {
			t.Errorf("newPager(%d, %d) = %+v", tc.total, tc.page, p)
		}
	}
}

func TestInvitationStatus(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		inv  store.Invitation
		want string
	}{
		{store.Invitation{Expires: now.Add(time.Hour)}, InvitationValid},
		{store.Invitation{Expires: now.Add(time.Hour), Used: now.Add(-time.Minute)}, InvitationUsed},
		{store.Invitation{Expires: now}, InvitationExpired},
		{store.Invitation{Expires: now.Add(-time.Hour), Used: now.Add(-2 * time.Hour)}, InvitationExpired},
		{store.Invitation{Expires: now.Add(time.Hour), Revoked: now.Add(-time.Minute)}, InvitationRevoked},
		{store.Invitation{Expires: now.Add(-time.Hour), Revoked: now.Add(-2 * time.Hour)}, InvitationRevoked},
	} {
		if got := InvitationStatus(&tc.inv, now); got != tc.want {
			t.Errorf("InvitationStatus(%+v) = %s, want %s", tc.inv, got, tc.want)
		}
	}
}

func TestPasswordAndUserNameRules(t *testing.T) {
	for _, tc := range []struct {
		pw, again string
		ok        bool
	}{
		{"длинный-пароль", "длинный-пароль", true},
		{"0123456789", "0123456789", true},
		{"123456789", "123456789", false},                         // 9 characters
		{"пароль-раз-1", "пароль-раз-2", false},                   // differ
		{strings.Repeat("ж", 37), strings.Repeat("ж", 37), false}, // 74 bytes
	} {
		if got := passwordProblem(tc.pw, tc.again) == ""; got != tc.ok {
			t.Errorf("passwordProblem(%q, %q) ok=%v, want %v", tc.pw, tc.again, got, tc.ok)
		}
		_, err := HashPassword(tc.pw)
		if tc.pw == tc.again && (err == nil) != tc.ok {
			t.Errorf("HashPassword(%q) and the web UI disagree: %v", tc.pw, err)
		}
	}
	for name, ok := range map[string]bool{"анна": true, "": false, " анна": false, "анна ": false, strings.Repeat("a", 64): true, strings.Repeat("a", 65): false} {
		if ValidUserName(name) != ok {
			t.Errorf("ValidUserName(%q) != %v", name, ok)
		}
	}
}

func TestZoneText(t *testing.T) {
	irk, err := time.LoadLocation("Asia/Irkutsk")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for loc, want := range map[*time.Location]string{irk: "Asia/Irkutsk, UTC+08:00", time.UTC: "UTC+00:00", time.FixedZone("", -3*3600): "UTC−03:00"} {
		if got := zoneText(loc, at); got != want {
			t.Errorf("zoneText(%v) = %q, want %q", loc, got, want)
		}
	}
}
