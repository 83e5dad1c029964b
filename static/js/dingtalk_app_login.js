// 免登 inside the DingTalk workbench: ask DingTalk's JSAPI for a one-time code and post it to Yishi,
// which asks DingTalk who it belongs to (accounts.views.dingtalk_app).
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("dingtalk-app-login");
    if (!form || !window.dd || !window.dd.runtime) { return; }
    window.dd.ready(function () {
      window.dd.runtime.permission.requestAuthCode({
        corpId: form.dataset.corpId,
        onSuccess: function (result) {
          form.elements.code.value = result.code;
          form.submit();
        },
        onFail: function () {}
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
