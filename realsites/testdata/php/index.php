<?php
// A page the bench's PHP server runs: it prints what it was asked for.
echo "<!doctype html><html><head><title>PHP</title></head><body><p>path " . htmlspecialchars(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH)) . "</p></body></html>";
