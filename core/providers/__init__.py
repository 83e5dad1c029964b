"""The school's own platforms, as Yishi talks to them: DingTalk and WeCom (企业微信).

One small client per platform (`dingtalk.DingTalk`, `wecom.WeCom`) over httpx: the app's access
token taken from the platform, kept in the cache until shortly before it expires and fetched
again when the platform says it expired (errcode 40014/42001), and every answer checked for its
errcode. Sign-in (accounts.providers) and personal work notices (core.reminders) both use them,
so there is one place where Yishi speaks each platform's protocol.
"""
