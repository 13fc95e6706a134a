/*
  Droppers and downloaders: scripts that fetch and run a second stage.
  Each rule needs both the fetch and the execute, so a tutorial that merely
  mentions one of them does not match.
*/
rule PowerShell_Download_Cradle
{
    meta:
        description = "PowerShell downloads and executes code (download cradle)"
        severity = "block"
        score = "0.95"
    strings:
        $dl1 = "DownloadString" nocase
        $dl2 = "DownloadFile" nocase
        $dl3 = "Invoke-WebRequest" nocase
        $dl4 = "Net.WebClient" nocase
        $dl5 = "Start-BitsTransfer" nocase
        $ex1 = "IEX" nocase fullword
        $ex2 = "Invoke-Expression" nocase
        $ex3 = "Start-Process" nocase
        $ex4 = "-EncodedCommand" nocase
        $ex5 = /-e(nc)?\s+[A-Za-z0-9+\/]{40,}/ nocase
    condition:
        any of ($dl*) and any of ($ex*)
}

rule Windows_LOLBin_Download_Exec
{
    meta:
        description = "Windows built-in tools abused to download and run code (certutil, bitsadmin, mshta, regsvr32)"
        severity = "block"
        score = "0.95"
    strings:
        $a1 = /certutil(\.exe)?\s+[^\n]{0,40}-urlcache/ nocase
        $a2 = /bitsadmin(\.exe)?\s+[^\n]{0,40}\/transfer/ nocase
        $a3 = /mshta(\.exe)?\s+["']?(https?|javascript|vbscript):/ nocase
        $a4 = /regsvr32(\.exe)?\s+[^\n]{0,60}\/i:\s*https?:/ nocase
        $a5 = /rundll32(\.exe)?\s+javascript:/ nocase
    condition:
        any of them
}

rule Unix_Pipe_To_Shell
{
    meta:
        description = "Unix script downloads code and pipes it into a shell or runs it"
        severity = "block"
        score = "0.9"
    strings:
        $p1 = /(curl|wget)\s[^\n|;]{0,200}\|\s*(sudo\s+)?(ba|z|da)?sh\b/
        $p2 = /(curl|wget)\s[^\n;]{0,200}(-o|-O)\s*\S+\s*(;|&&)\s*chmod\s+\+?[0-7x]+\s+\S+\s*(;|&&)\s*\S+/
        $p3 = /base64\s+(-d|--decode)[^\n|]{0,100}\|\s*(ba)?sh\b/
    condition:
        any of them
}

rule Reverse_Shell
{
    meta:
        description = "Reverse shell one-liner (gives a remote attacker a shell)"
        severity = "block"
        score = "0.95"
    strings:
        $r1 = /bash\s+-i\s+>&\s*\/dev\/tcp\//
        $r2 = /\bnc(at)?\s+(-[a-z]*e\s+|[^\n]{0,60}-e\s+)\/bin\/(ba)?sh/
        $r3 = /socket\.socket\([^\n]{0,200}\n?[^\n]{0,200}os\.dup2\(/
        $r4 = "pty.spawn(\"/bin/" 
        $r5 = /New-Object\s+System\.Net\.Sockets\.TCPClient/ nocase
    condition:
        any of them
}

rule Script_Dropper_WSH
{
    meta:
        description = "Windows Script Host dropper: creates a shell object and runs or writes downloaded code"
        severity = "block"
        score = "0.9"
    strings:
        $o1 = "WScript.Shell" nocase
        $o2 = "Shell.Application" nocase
        $n1 = "MSXML2.XMLHTTP" nocase
        $n2 = "WinHttp.WinHttpRequest" nocase
        $n3 = "ADODB.Stream" nocase
        $n4 = "URLDownloadToFile" nocase
        $x1 = ".Run" nocase
        $x2 = ".ShellExecute" nocase
        $x3 = ".Exec" nocase
    condition:
        any of ($o*) and any of ($n*) and any of ($x*)
}

rule Webshell_Eval_Request
{
    meta:
        description = "Web shell: evaluates code sent in an HTTP request"
        severity = "block"
        score = "0.95"
    strings:
        $php1 = /(eval|assert|system|passthru|shell_exec|exec)\s*\(\s*(base64_decode\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE)/ nocase
        $php2 = /preg_replace\s*\(\s*["'][^"']*\/e["']/ nocase
        $asp1 = /eval\s*\(?\s*request(\.item)?\s*[\(\[]/ nocase
        $jsp1 = /Runtime\.getRuntime\(\)\.exec\(\s*request\.getParameter/ nocase
    condition:
        any of them
}

rule Coin_Miner
{
    meta:
        description = "Cryptocurrency miner configuration or launcher"
        severity = "block"
        score = "0.9"
    strings:
        $s1 = "stratum+tcp://" nocase
        $s2 = "stratum+ssl://" nocase
        $m1 = "xmrig" nocase
        $m2 = "cryptonight" nocase
        $m3 = "\"donate-level\"" nocase
        $m4 = "minerd" nocase fullword
    condition:
        any of ($s*) or 2 of ($m*)
}
