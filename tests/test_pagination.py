import re

from tests.factories import draft


def test_the_next_page_keeps_the_search_and_the_filter(client, people):
    staff = people("staff")
    for n in range(21):
        draft(staff, title=f"关于实训室{n}号的请示")
    client.force_login(staff)

    page = client.get("/items/mine/?q=实训室&state=draft").content.decode()

    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "state=draft" in link and "q=" in link
    second = client.get("/items/mine/" + link).content.decode()
    assert "第 2 / 2 页" in second
