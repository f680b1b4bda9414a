; The Windows installer of JB WatchDesk (江北政务新媒体值班台): an Inno Setup 6.3+ script (6.3 added
; x64compatible), saved as UTF-8 with a byte-order mark so Inno Setup reads its Chinese as Unicode.
;
; Build, from the repository's top folder on Windows, after `pyinstaller --noconfirm build_installer.spec`:
;   iscc installer\jb-watchdesk.iss
; The installer lands in dist\installer\jb-watchdesk-setup-<version>.exe.
;
; It carries the one-folder bundle dist\jb-watchdesk\ as built (the Python runtime, Qt, every library;
; Python's own vcruntime140.dll and vcruntime140_1.dll are inside it). Nothing is downloaded at install time.
; The Visual C++ runtime: the bundle carries the DLLs Python and Qt load; a PC that still cannot start it
; ("VCRUNTIME140.dll was not found", or MSVCP140.dll) needs the Microsoft Visual C++ 2015-2022
; Redistributable (x64), which IT installs once per PC. See the README, "Install on Windows".
;
; Data: the desk keeps its workspace in %LOCALAPPDATA%\jb-watchdesk (database, backups, logs\). The
; installer never writes there and the uninstaller never removes it: a reinstall finds the duty record
; as it was. The install folder holds programs only.
;
; Start at login (optional task): a value under HKCU\...\Run. Its name and data are what
; jb_watchdesk/services/autostart.py produces for the install folder {app}; a test holds them equal.

#define AppName "JB WatchDesk"
#define AppNameZh "江北政务新媒体值班台"
#define AppVersion "0.1.0"
#define DeskExe "jb-watchdesk-desk.exe"
#define CliExe "jb-watchdesk.exe"

[Setup]
; A fixed id: upgrades replace the same installation. Never change it.
AppId={{6A1E3C52-8C7B-4F0E-9B7D-2F5C1A9E7D41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=JB WatchDesk developers
; Per user by default: a duty officer without administrator rights can install it. IT may choose
; "for all users" (Program Files) in the first dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SourceDir=..
OutputDir=dist\installer
OutputBaseFilename=jb-watchdesk-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#DeskExe}
UninstallDisplayName={#AppName} {#AppVersion}
; The running desk holds its files open: ask to close it before files are replaced or removed.
CloseApplications=yes

; Chinese when this Inno Setup has ChineseSimplified.isl (newer releases ship it; for older ones, copy it
; from the Inno Setup translations page into its Languages folder); English always.
#define HaveChinese FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")

[Languages]
#if HaveChinese
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
#if HaveChinese
chinesesimplified.AutostartTask=登录 Windows 时自动启动值班台
chinesesimplified.AutostartGroup=启动方式：
chinesesimplified.CommandLine=值班台命令行（doctor 等）
#endif
english.AutostartTask=Start the duty desk when I log in to Windows
english.AutostartGroup=Starting:
english.CommandLine=Duty desk command line (doctor and more)

[Tasks]
Name: "autostart"; Description: "{cm:AutostartTask}"; GroupDescription: "{cm:AutostartGroup}"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "dist\jb-watchdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName} {#AppNameZh}"; Filename: "{app}\{#DeskExe}"; WorkingDir: "{app}"
Name: "{group}\{cm:CommandLine}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#CliExe}"" --help"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#DeskExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; Start at login: same name and data as jb_watchdesk.services.autostart.run_entry(install_dir="{app}").
; uninsdeletevalue: the uninstaller removes this value (and nothing else of the user's).
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "JB WatchDesk"; ValueData: """{app}\jb-watchdesk-desk.exe"""; Flags: uninsdeletevalue; Tasks: autostart

[Run]
Filename: "{app}\{#DeskExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] entry for the data dir, on purpose: uninstalling removes only what [Files] put in
; {app}. The workspace in %LOCALAPPDATA%\jb-watchdesk (database, backups, logs) stays.
