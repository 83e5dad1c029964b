def test_it_speaks_chinese_whatever_the_browser_asks_for(client, people):
    client.force_login(people("staff"))
    page = client.get("/items/mine/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "我的议题" in page
    assert "My items" not in page


def test_it_speaks_english_once_chosen(client, people):
    client.force_login(people("staff"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/items/mine/"})
    page = client.get("/items/mine/").content.decode()
    assert "My items" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
