<title>Новости</title>
<h2>Новости</h2>
<div class="news-item"><span class="date">15.12.2024</span> <a href="/news_item.php?id=12">Новогодний утренник</a><p>В группах прошли новогодние утренники.</p></div>
<div class="news-item"><span class="date">01.11.2024</span> <a href="/news_item.php?id=11">День матери</a><p>Выставка рисунков «Моя мама».</p></div>
