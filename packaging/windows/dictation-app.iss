; Inno Setup script: a per-user Windows installer for the one-folder bundle.
;   pyinstaller --noconfirm packaging\dictation-app.spec   (makes dist\dictation-app\)
;   iscc /DAppVersion=0.1.0 packaging\windows\dictation-app.iss
; The output is packaging\windows\Output\dictation-app-<version>-setup.exe.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B3E2F4A-9C1D-4E7B-8A2F-3D5C6E7F8A90}
AppName=Dictation
AppVersion={#AppVersion}
AppPublisher=dictation-app contributors
AppPublisherURL=https://github.com/dictation-app/dictation-app
DefaultDirName={autopf}\Dictation
DefaultGroupName=Dictation
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=dictation-app-{#AppVersion}-setup
SetupIconFile=dictation-app.ico
UninstallDisplayIcon={app}\dictation-app.exe
LicenseFile=..\..\LICENSE
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\dictation-app\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Dictation"; Filename: "{app}\dictation-app.exe"; Parameters: "gui"
Name: "{autodesktop}\Dictation"; Filename: "{app}\dictation-app.exe"; Parameters: "gui"; Tasks: desktopicon

[Run]
Filename: "{app}\dictation-app.exe"; Parameters: "gui"; Description: "{cm:LaunchProgram,Dictation}"; Flags: nowait postinstall skipifsilent
