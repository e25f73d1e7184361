package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"perenos/store"
)

// operatorTab is a fresh browser logged in as the fixture's operator.
func operatorTab(t *testing.T, f *fixture) context.Context {
	t.Helper()
	ctx := newTab(t)
	do(t, ctx, chromedp.Navigate(f.url+"/login"), chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, opName), chromedp.SendKeys(`input[name="password"]`, opPass),
		chromedp.Click(`form[action="/login"] button`))
	waitText(t, ctx, "main", "Сайты региона")
	return ctx
}

// TestOperatorInvitesAndTheAdminEntersByTheLink: the operator issues an
// invitation on the organisation's page, sees its link once with a copy
// button that copies it, and the link opens the organisation's site in a
// fresh browser; the list then says it was used, and revoking it there
// sends the admin back to the login.
func TestOperatorInvitesAndTheAdminEntersByTheLink(t *testing.T) {
	f := newBareFixture(t, nil)
	op := operatorTab(t, f)
	page := f.url + "/site/" + schoolID + "/invitations"
	do(t, op, chromedp.Navigate(f.url+"/site/"+schoolID))
	waitText(t, op, "h1", "МБОУ СОШ № 7")
	checkA11y(t, op, "the operator's site page")
	do(t, op, chromedp.Click("#invitations-link"))
	waitText(t, op, "h1", "Приглашения администратора")
	waitText(t, op, "#no-invitations", "ещё не выдавали")
	checkA11y(t, op, "the empty invitations page")

	do(t, op, chromedp.SetValue("#ttl", "7"), chromedp.Click("#issue-invite"))
	waitText(t, op, "#new-link", "Ссылка показана один раз")
	link, err := valueOf(op, "#invite-link")
	if err != nil || !strings.HasPrefix(link, f.url+"/invite/") {
		t.Fatalf("the shown link %q: %v", link, err)
	}
	// The copy button copies exactly the link (the clipboard itself is the
	// browser's: the page's call to it is what can go wrong).
	do(t, op, chromedp.Evaluate[chromedp.Void](`window.__copied = null; navigator.clipboard.writeText = t => { window.__copied = t; return Promise.resolve(); }`))
	do(t, op, chromedp.WaitVisible("#copy-link"), chromedp.Click("#copy-link"))
	waitText(t, op, "#copy-status", "Ссылка скопирована")
	if copied, _ := chromedp.Run(op, chromedp.Evaluate[string](`window.__copied || ""`)); copied != link {
		t.Errorf("the copy button copied %q, want the link %q", copied, link)
	}
	invs, _ := f.ws.Invitations(schoolID)
	if len(invs) != 1 || invs[0].Expires.Sub(invs[0].Created) != 7*24*time.Hour {
		t.Fatalf("issued from the page: %+v", invs)
	}
	waitText(t, op, `tr[data-invitation="`+invs[0].ID+`"] .status`, "действует, ещё не использовано")
	checkA11y(t, op, "the invitations page with a new link")
	screenshot(t, op, "invitations-new-link")

	// A fresh browser opens the link and is in.
	admin := newTab(t)
	do(t, admin, chromedp.Navigate(link), chromedp.WaitVisible("#enter"))
	waitText(t, admin, "main", "МБОУ СОШ № 7")
	do(t, admin, chromedp.Click("#enter"))
	waitText(t, admin, "h1", "МБОУ СОШ № 7")
	waitText(t, admin, "header .who", "Администратор организации")
	screenshot(t, admin, "admin-entered-by-new-link")

	// A reload shows the link no more; the list says used.
	do(t, op, chromedp.Reload())
	waitText(t, op, "#link-gone", "показывается один раз")
	if n, _ := chromedp.Run(op, chromedp.Evaluate[int](`document.querySelectorAll("#invite-link").length`)); n != 0 {
		t.Error("a reload shows the link again")
	}
	do(t, op, chromedp.Navigate(page))
	waitText(t, op, `tr[data-invitation="`+invs[0].ID+`"] .status`, "использовано")
	checkA11y(t, op, "the invitations list")
	screenshot(t, op, "invitations-used")

	// Revoked there, the admin's next page is the login.
	do(t, op, chromedp.Click(`tr[data-invitation="`+invs[0].ID+`"] button`))
	waitText(t, op, ".flash", "Приглашение отозвано")
	waitText(t, op, `tr[data-invitation="`+invs[0].ID+`"] .status`, "отозвано")
	do(t, admin, chromedp.Reload())
	waitText(t, admin, "h1", "Вход оператора")
}

// TestOperatorManagesAccountsInTheBrowser: the operator adds an account
// with its password twice, sees it in the list, and disables it.
func TestOperatorManagesAccountsInTheBrowser(t *testing.T) {
	f := newBareFixture(t, nil)
	op := operatorTab(t, f)
	do(t, op, chromedp.Click(`header nav a[href="/users"]`))
	waitText(t, op, "h1", "Операторы")
	waitText(t, op, `tr[data-user="`+opName+`"]`, "(вы)")
	checkA11y(t, op, "the accounts page")
	// The form says what differs before anything is stored.
	do(t, op, chromedp.SendKeys("#new-name", "анна"), chromedp.SendKeys("#new-pw", "пароль-анны-2026"), chromedp.SendKeys("#new-pw2", "пароль-анны-2027"),
		chromedp.Click("#add-user-button"))
	waitText(t, op, "#users-error", "Пароли не совпадают")
	if v, _ := valueOf(op, "#new-name"); v != "анна" {
		t.Errorf("the name was not kept after the error: %q", v)
	}
	do(t, op, chromedp.SendKeys("#new-pw", "пароль-анны-2026"), chromedp.SendKeys("#new-pw2", "пароль-анны-2026"), chromedp.Click("#add-user-button"))
	waitText(t, op, ".flash", "Оператор добавлен")
	waitText(t, op, `tr[data-user="анна"] .status`, "действует")
	if u, err := f.ws.User("анна"); err != nil || u.Disabled {
		t.Fatalf("the new account in the ledger: %+v %v", u, err)
	}
	screenshot(t, op, "users")
	// Her own row has no disable button; hers does.
	if n, _ := chromedp.Run(op, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-user="`+opName+`"] form[action="/users/disable"]').length`)); n != 0 {
		t.Error("the operator is offered to disable their own account")
	}
	do(t, op, chromedp.Click(`tr[data-user="анна"] form[action="/users/disable"] button`))
	waitText(t, op, ".flash", "Учётная запись отключена")
	waitText(t, op, `tr[data-user="анна"] .status`, "отключена")
	if u, _ := f.ws.User("анна"); !u.Disabled {
		t.Error("the ledger does not say disabled")
	}
	checkA11y(t, op, "the accounts page after changes")
}

// TestEventLogsInTheBrowser: a site's log and the region's, newest first,
// in Russian, a page at a time, and the region's narrowed by its filter.
func TestEventLogsInTheBrowser(t *testing.T) {
	f := newBareFixture(t, time.FixedZone("Иркутск", 8*3600))
	at := time.Date(time.Now().Year()-1, 11, 20, 2, 0, 0, 0, time.UTC)
	for i := range 60 {
		if err := f.ws.Log(store.Event{Time: at.Add(time.Duration(i) * time.Hour), Actor: "operator:тест", Org: schoolID, Kind: store.EventEdit, Reason: fmt.Sprintf("проверка: правка № %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.ws.Advance(hostileID, store.StageCrawl, "operator:тест", "crawled 3 pages"); err != nil {
		t.Fatal(err)
	}
	f.invite(t, schoolID, time.Hour)
	op := operatorTab(t, f)

	do(t, op, chromedp.Navigate(f.url+"/site/"+schoolID+"/events"))
	waitText(t, op, "h1", "Журнал изменений")
	waitText(t, op, "#page-summary", "Показаны 1–50 из 62 событий")
	waitText(t, op, "#events tbody tr:first-child", "приглашение")
	waitText(t, op, "#events tbody tr:nth-child(2)", "правка № 59")
	checkA11y(t, op, "a site's log")
	screenshot(t, op, "site-log")
	do(t, op, chromedp.Click("#older"))
	waitText(t, op, "#page-summary", "Показаны 51–62 из 62 событий, страница 2 из 2")
	waitText(t, op, "#events tbody tr:last-child", "добавлено из реестра")

	do(t, op, chromedp.Click(`header nav a[href="/events"]`))
	waitText(t, op, "h1", "Журнал региона")
	waitText(t, op, "#events", "МБОУ «Школа на Озёрной»")
	checkA11y(t, op, "the region's log")
	do(t, op, chromedp.SetValue(`#log-filter select[name="kind"]`, "state"), chromedp.Click(`#log-filter button`))
	waitText(t, op, "#page-summary", "Показаны 1–1 из 1 события")
	waitText(t, op, "#events", "зарегистрирован → сайт скачан")
	body := browserText(t, op, "#events")
	if strings.Contains(body, "crawled") || strings.Contains(body, "МБОУ СОШ № 7") {
		t.Errorf("the filtered log shows more than the one state change:\n%s", body)
	}
	screenshot(t, op, "region-log-filtered")
	// Days in the region's zone: 20 November from 02:00 UTC is 10:00 in Irkutsk.
	day := fmt.Sprintf("%d-11-20", at.Year())
	do(t, op, chromedp.Navigate(f.url+"/events?org="+schoolID+"&from="+day+"&to="+day))
	waitText(t, op, "#page-summary", "из 14 событий") // 10:00 to 23:00 in Irkutsk
	waitText(t, op, "#events tbody tr:last-child", fmt.Sprintf("20.11.%d 10:00", at.Year()))
	checkA11y(t, op, "the region's log by days")
}

func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
