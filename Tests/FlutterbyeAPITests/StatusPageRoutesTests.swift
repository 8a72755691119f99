import SolanaCore
import Testing

@testable import FlutterbyeAPI

/// The status page's HTML rendering, without I/O: the cluster and the explorer template go in escaped.
struct StatusPageRoutesTests {
    @Test func theTemplateGetsEachClustersExplorerLinkEscapedForHTML() {
        let template = #"<body data-cluster="{{cluster}}" data-explorer-transaction="{{explorer_transaction}}"><b>{{cluster}}</b>"#
        #expect(
            StatusPageRoutes.render(template: template, cluster: .devnet)
                == #"<body data-cluster="devnet" data-explorer-transaction="https://explorer.solana.com/tx/{signature}?cluster=devnet"><b>devnet</b>"#
        )
        #expect(StatusPageRoutes.render(template: template, cluster: .mainnetBeta).contains(#""https://explorer.solana.com/tx/{signature}""#))
    }

    @Test func everyCharacterThatEndsTextOrAnAttributeIsEscaped() {
        #expect(StatusPageRoutes.escaped(#"<script>"x" & 'y'</script>"#) == "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;")
        #expect(StatusPageRoutes.escaped("plain é ✓") == "plain é ✓")
    }
}
